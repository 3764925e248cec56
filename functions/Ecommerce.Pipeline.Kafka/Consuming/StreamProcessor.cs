using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;
using Microsoft.Extensions.Logging;

namespace Ecommerce.Pipeline.Kafka.Consuming;

/// <summary>
/// The Kafka consume loop behind <c>pipeline process</c>: reads <see cref="StreamProcessorOptions.Topic"/> in a
/// consumer group, forms batches by count, bytes and time, hands each to <see cref="TransactionBatchHandler"/> and
/// stores a batch's offsets for commit only after the handler returned (at-least-once; the sink is idempotent).
/// librdkafka commits the stored offsets in the background every second; the loop commits synchronously only before
/// partitions are let go and at a stop, so an unreachable coordinator never blocks it.
/// </summary>
/// <remarks>
/// <para>Threads: one dedicated thread owns the consumer (poll, pause/resume, rebalance callbacks, offset stores and
/// commits, since the client is not thread-safe); one task runs the handler. They meet in a bounded queue of
/// batches and a queue of acknowledgements flowing back.</para>
/// <para>Failures: a failing batch is retried with exponential backoff and jitter until it succeeds or the
/// processor stops; it is never skipped, and nothing after it is committed.</para>
/// <para>Back-pressure: when the batch queue is full the consumer pauses its partitions (still polling, so it
/// stays in the group) and resumes once there is room; partitions revoked or lost meanwhile are resumed as they go,
/// since librdkafka would keep them paused through a later assignment.</para>
/// <para>Rebalance (cooperative): on revocation, records of the revoked partitions not yet handed to the handler
/// are dropped (the new owner re-reads them from the last commit), then the loop waits up to
/// <see cref="StreamProcessorOptions.RebalanceDrainTimeout"/> for the queued and in-flight batches and commits what
/// they acknowledged before letting the partitions go. Acknowledgements for partitions no longer owned (or owned
/// again under a newer assignment) are never committed, so a commit never moves past what this member stored.
/// A sink that implements <see cref="IPartitionAwareSink"/> hears of each assignment before any of its records is
/// handed over, and of each revoked or lost partition after its outstanding batches finished (and, for a revoke,
/// were committed).</para>
/// <para>Stop: on cancellation the batch being written is allowed to finish (up to
/// <see cref="StreamProcessorOptions.ShutdownTimeout"/>); queued batches are dropped uncommitted; acknowledged
/// offsets are committed; then the consumer leaves the group (<c>Close</c>) and is disposed.</para>
/// </remarks>
public sealed class StreamProcessor
{
    private int _started;

    public StreamProcessor(StreamProcessorOptions options, TransactionBatchHandler handler, ILogger<StreamProcessor> logger,
        IPipelineMetrics? metrics = null)
        : this(options, new TransactionBatchStep(handler ?? throw new ArgumentNullException(nameof(handler))),
            handler.Sink.Name, logger, metrics, handler.Sink as IPartitionAwareSink)
    {
    }

    /// <summary>For tests and benchmarks: any batch handler with the same contract as <see cref="TransactionBatchHandler.HandleAsync(IReadOnlyList{RawRecord}, CancellationToken)"/>.</summary>
    internal StreamProcessor(StreamProcessorOptions options,
        Func<IReadOnlyList<RawRecord>, CancellationToken, Task<BatchOutcome>> handle, string sinkName, ILogger logger,
        IPipelineMetrics? metrics = null)
        : this(options, new DelegateBatchStep(handle ?? throw new ArgumentNullException(nameof(handle))), sinkName,
            logger, metrics)
    {
    }

    internal StreamProcessor(StreamProcessorOptions options, IBatchStep step, string sinkName, ILogger logger,
        IPipelineMetrics? metrics, IPartitionAwareSink? partitionAware = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        Options = options;
        // With the production handler the transform (pure) runs for the next batch while the current one is
        // stored, so parsing and the sink write use both cores.
        Step = step;
        SinkName = sinkName;
        Logger = logger;
        Metrics = metrics ?? NullPipelineMetrics.Instance;
        PartitionAware = partitionAware;
    }

    public StreamProcessorOptions Options { get; }

    /// <summary>Live counters, updated once per batch.</summary>
    public StreamProcessorCounters Counters { get; } = new();

    internal string SinkName { get; }

    internal ILogger Logger { get; }

    internal IPipelineMetrics Metrics { get; }

    /// <summary>The sink, when it wants to hear of assignments and releases; null otherwise.</summary>
    internal IPartitionAwareSink? PartitionAware { get; }

    /// <summary>What is done with each batch.</summary>
    internal IBatchStep Step { get; }

    /// <summary>
    /// Runs the loop until <paramref name="cancellationToken"/> is cancelled (a graceful stop, not an error) or,
    /// with <see cref="StreamProcessorOptions.UntilIdle"/>, until the topic went quiet and everything is committed.
    /// Throws <see cref="Confluent.Kafka.KafkaException"/> on a fatal client error. Call once per instance.
    /// </summary>
    public async Task<StreamProcessorSummary> RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("A StreamProcessor runs once; create a new one to run again.");
        }

        using var session = new ConsumeSession(this, cancellationToken);
        return await session.RunAsync().ConfigureAwait(false);
    }
}
