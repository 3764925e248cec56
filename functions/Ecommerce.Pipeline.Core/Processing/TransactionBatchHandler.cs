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

    /// <summary>The pure transform of a batch; hosts may run it ahead, while the previous batch is being stored.</summary>
    public BatchResult Prepare(IReadOnlyList<RawRecord> records) => _processor.Process(records);

    public Task<BatchOutcome> HandleAsync(IReadOnlyList<RawRecord> records, CancellationToken cancellationToken) =>
        HandleAsync(records, null, cancellationToken);

    /// <summary>Stores one batch; <paramref name="prepared"/> is its <see cref="Prepare"/> result when already computed.</summary>
    /// <remarks>A retry may pass the same prepared result again: it is only read, never changed.</remarks>
    public async Task<BatchOutcome> HandleAsync(IReadOnlyList<RawRecord> records, BatchResult? prepared,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var result = prepared ?? _processor.Process(records);

        // The dead letters of the transform go to their topic while the rows are written: two independent waits.
        var publishing = result.DeadLetters.Count > 0
            ? _publisher.PublishAsync(result.DeadLetters, cancellationToken)
            : Task.CompletedTask;
        var written = RowWriteResult.Empty;
        try
        {
            if (result.Rows.Count > 0 || result.DeadLetters.Count > 0)
            {
                // Rows and the transform's dead letters in one write: one commit where the warehouse has transactions.
                // The topic may get a dead letter again on a retry; readers dedupe per (topic, partition, offset).
                var started = Stopwatch.GetTimestamp();
                try
                {
                    written = await _sink.WriteBatchAsync(result.Rows, result.DeadLetters, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _metrics.SinkError(_sink.Name, ex.GetType().Name);
                    throw;
                }

                if (result.Rows.Count > 0)
                {
                    _metrics.SinkWrite(_sink.Name, Stopwatch.GetElapsedTime(started));
                }
            }
        }
        finally
        {
            // Never leave the publish unobserved, whatever happened to the write.
            await publishing.ConfigureAwait(false);
        }

        var deadLetters = result.DeadLetters;
        if (written.Rejected.Count > 0)
        {
            var failedAt = _time.GetUtcNow().UtcDateTime;
            var rejected = new List<DeadLetter>(written.Rejected.Count);
            foreach (var rejection in written.Rejected)
            {
                rejected.Add(DeadLetterFactory.RejectedBySink(records[rejection.Row.SourceIndex], rejection.Message,
                    rejection.Row.TransactionId, failedAt));
            }

            // The table after the topic, so a row the warehouse refused is on the topic whenever the report shows it.
            await _publisher.PublishAsync(rejected, cancellationToken).ConfigureAwait(false);
            await _sink.WriteDeadLettersAsync(rejected, cancellationToken).ConfigureAwait(false);
            deadLetters = [.. result.DeadLetters, .. rejected];
        }

        var storedAt = _time.GetUtcNow();
        var duplicates = result.Duplicates + written.Duplicates;
        // Counted on success only: a failed attempt throws before here, so a retried batch counts once.
        _metrics.BatchConsumed(records.Count);
        _metrics.RowsWritten(_sink.Name, written.Inserted);
        _metrics.Duplicates(duplicates);
        _metrics.DeadLetters(deadLetters);
        _metrics.EndToEndLatency(result.Rows, storedAt);
        return new BatchOutcome(records.Count, written.Inserted, duplicates, deadLetters.Count, storedAt);
    }
}
