using System.Collections.Concurrent;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;

namespace Ecommerce.Pipeline.TestSupport;

/// <summary>
/// An in-memory warehouse with the real sink contract: idempotent by transaction_id (first one wins) and by
/// (topic, partition, offset) for dead letters. A test can make the first <paramref name="failures"/> row writes throw
/// (a transient failure), fail or block a write with <see cref="BeforeWrite"/>, and refuse rows for good with
/// <see cref="Refuse"/>.
/// </summary>
/// <param name="name">The sink's metrics label.</param>
/// <param name="failures">How many row writes, from the first, throw <see cref="IOException"/>.</param>
public sealed class MemorySink(string name = "memory", int failures = 0) : ITransactionSink
{
    private readonly ConcurrentDictionary<string, TransactionRow> _rows = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string, int, long), DeadLetter> _deadLetters = new();
    private int _attempts;

    /// <summary>Runs before each row write with the 1-based attempt number; may throw or wait.</summary>
    public Func<int, CancellationToken, Task>? BeforeWrite { get; set; }

    /// <summary>The warehouse's refusal message for a row it will never store, or null to store it.</summary>
    public Func<TransactionRow, string?>? Refuse { get; set; }

    public string Name => name;

    /// <summary>Row writes attempted, failed ones included.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    public IReadOnlyDictionary<string, TransactionRow> Rows => _rows;

    /// <summary>Rows stored.</summary>
    public int Stored => _rows.Count;

    public IReadOnlyCollection<DeadLetter> DeadLetters => [.. _deadLetters.Values];

    public async Task<RowWriteResult> WriteRowsAsync(IReadOnlyList<TransactionRow> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var attempt = Interlocked.Increment(ref _attempts);
        if (attempt <= failures)
        {
            throw new IOException("injected sink failure");
        }

        if (BeforeWrite is { } hook)
        {
            await hook(attempt, cancellationToken).ConfigureAwait(false);
        }

        var inserted = 0;
        var duplicates = 0;
        var rejected = new List<RowRejection>();
        foreach (var row in rows)
        {
            if (Refuse?.Invoke(row) is { } message)
            {
                rejected.Add(new RowRejection(row, message));
            }
            else if (_rows.TryAdd(row.TransactionId, row))
            {
                inserted++;
            }
            else
            {
                duplicates++;
            }
        }

        return new RowWriteResult(inserted, duplicates, rejected);
    }

    public Task WriteDeadLettersAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deadLetters);
        foreach (var d in deadLetters)
        {
            _deadLetters.TryAdd((d.KafkaTopic, d.KafkaPartition, d.KafkaOffset), d);
        }

        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
