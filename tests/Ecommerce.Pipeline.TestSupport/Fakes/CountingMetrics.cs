using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;

namespace Ecommerce.Pipeline.TestSupport;

/// <summary>Metrics that add up what they are told, so a test can check what a batch reported.</summary>
public sealed class CountingMetrics : IPipelineMetrics
{
    private readonly Lock _sync = new();
    private readonly List<string> _deadLetterReasons = [];
    private readonly List<(string Sink, string Kind)> _sinkErrors = [];
    private readonly List<(string Sink, string Reason, TimeSpan Delay)> _sinkWaits = [];
    private int _batches;
    private int _messages;
    private int _rowsWritten;
    private int _duplicates;
    private int _sinkWrites;
    private int _sinkRetries;
    private int _latencyRows;

    /// <summary>Calls of <see cref="BatchConsumed"/>: batches that completed.</summary>
    public int Batches => Volatile.Read(ref _batches);

    public int Messages => Volatile.Read(ref _messages);
    public int RowsWrittenTotal => Volatile.Read(ref _rowsWritten);
    public int DuplicatesTotal => Volatile.Read(ref _duplicates);
    public int SinkWrites => Volatile.Read(ref _sinkWrites);
    public int SinkRetries => Volatile.Read(ref _sinkRetries);

    /// <summary>Rows whose end-to-end latency was recorded.</summary>
    public int LatencyRows => Volatile.Read(ref _latencyRows);

    /// <summary>The reason code of every dead letter counted.</summary>
    public IReadOnlyList<string> DeadLetterReasons
    {
        get
        {
            lock (_sync)
            {
                return [.. _deadLetterReasons];
            }
        }
    }

    public IReadOnlyList<(string Sink, string Kind)> SinkErrors
    {
        get
        {
            lock (_sync)
            {
                return [.. _sinkErrors];
            }
        }
    }

    public void BatchConsumed(int messages)
    {
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _messages, messages);
    }

    public void RowsWritten(string sink, int rows) => Interlocked.Add(ref _rowsWritten, rows);

    public void DeadLetters(IReadOnlyList<DeadLetter> deadLetters)
    {
        ArgumentNullException.ThrowIfNull(deadLetters);
        lock (_sync)
        {
            _deadLetterReasons.AddRange(deadLetters.Select(d => d.ReasonCode));
        }
    }

    public void Duplicates(int count) => Interlocked.Add(ref _duplicates, count);

    public void SinkWrite(string sink, TimeSpan duration) => Interlocked.Increment(ref _sinkWrites);

    public void SinkError(string sink, string kind)
    {
        lock (_sync)
        {
            _sinkErrors.Add((sink, kind));
        }
    }

    public void SinkRetry(string sink) => Interlocked.Increment(ref _sinkRetries);

    /// <summary>Every <see cref="SinkWait"/> call, in order.</summary>
    public IReadOnlyList<(string Sink, string Reason, TimeSpan Delay)> SinkWaits
    {
        get
        {
            lock (_sync)
            {
                return [.. _sinkWaits];
            }
        }
    }

    public void SinkWait(string sink, string reason, TimeSpan delay)
    {
        lock (_sync)
        {
            _sinkWaits.Add((sink, reason, delay));
        }
    }

    public void EndToEndLatency(IReadOnlyList<TransactionRow> rows, DateTimeOffset storedAt)
    {
        ArgumentNullException.ThrowIfNull(rows);
        Interlocked.Add(ref _latencyRows, rows.Count);
    }
}
