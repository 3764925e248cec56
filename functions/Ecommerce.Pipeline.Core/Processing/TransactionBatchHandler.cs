using System.Diagnostics;
using Ecommerce.Pipeline.Core.Model;

namespace Ecommerce.Pipeline.Core.Processing;

/// <summary>
/// One batch end to end, the same for every host: transform, store rows, turn sink rejections into dead letters,
/// publish dead letters to the topic and store them in the table. When this returns, everything in the batch is
/// acknowledged and the host may commit its offsets. When it throws, nothing may be committed: the host retries the
/// batch, and the idempotent sink makes the retry safe.
/// </summary>
public sealed class TransactionBatchHandler
{
    private readonly BatchProcessor _processor;
    private readonly ITransactionSink _sink;
    private readonly IDeadLetterPublisher _publisher;
    private readonly IPipelineMetrics _metrics;
    private readonly TimeProvider _time;

    public TransactionBatchHandler(BatchProcessor processor, ITransactionSink sink, IDeadLetterPublisher publisher,
        IPipelineMetrics metrics, TimeProvider time)
    {
        _processor = processor;
        _sink = sink;
        _publisher = publisher;
        _metrics = metrics;
        _time = time;
    }

    public ITransactionSink Sink => _sink;

    public async Task<BatchOutcome> HandleAsync(IReadOnlyList<RawRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        _metrics.BatchConsumed(records.Count);
        var result = _processor.Process(records);

        var written = RowWriteResult.Empty;
        if (result.Rows.Count > 0)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                written = await _sink.WriteRowsAsync(result.Rows, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _metrics.SinkError(_sink.Name, ex.GetType().Name);
                throw;
            }

            _metrics.SinkWrite(_sink.Name, Stopwatch.GetElapsedTime(started));
        }

        var deadLetters = result.DeadLetters;
        if (written.Rejected.Count > 0)
        {
            var failedAt = _time.GetUtcNow().UtcDateTime;
            foreach (var rejection in written.Rejected)
            {
                deadLetters.Add(DeadLetterFactory.RejectedBySink(records[rejection.Row.SourceIndex], rejection.Message,
                    rejection.Row.TransactionId, failedAt));
            }
        }

        if (deadLetters.Count > 0)
        {
            // Topic first, table second: both are idempotent per (topic, partition, offset) for consumers that dedupe,
            // and the table is the one the report reads.
            await _publisher.PublishAsync(deadLetters, cancellationToken).ConfigureAwait(false);
            await _sink.WriteDeadLettersAsync(deadLetters, cancellationToken).ConfigureAwait(false);
        }

        var storedAt = _time.GetUtcNow();
        var duplicates = result.Duplicates + written.Duplicates;
        _metrics.RowsWritten(_sink.Name, written.Inserted);
        _metrics.Duplicates(duplicates);
        _metrics.DeadLetters(deadLetters);
        _metrics.EndToEndLatency(result.Rows, storedAt);
        return new BatchOutcome(records.Count, written.Inserted, duplicates, deadLetters.Count, storedAt);
    }
}
