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
        }
        finally
        {
            // Never leave the publish unobserved, whatever happened to the rows.
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

            await _publisher.PublishAsync(rejected, cancellationToken).ConfigureAwait(false);
            deadLetters = [.. result.DeadLetters, .. rejected];
        }

        if (deadLetters.Count > 0)
        {
            // The table after the topic: the table is what the report reads, and both are idempotent per
            // (topic, partition, offset) for readers that dedupe.
            await _sink.WriteDeadLettersAsync(deadLetters, cancellationToken).ConfigureAwait(false);
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
