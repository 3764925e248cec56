using Ecommerce.Pipeline.Kafka.Embedded;

namespace Ecommerce.Pipeline.Kafka.Consuming;

/// <summary>Settings of the <see cref="StreamProcessor"/> consume loop. The library defaults bound a batch at 500 records, 1 MiB or 250 ms; hosts may set larger ones.</summary>
public sealed record StreamProcessorOptions
{
    public required string BootstrapServers { get; init; }

    public string Topic { get; init; } = EmbeddedKafkaCluster.TransactionsTopic;

    public string GroupId { get; init; } = KafkaClientConfig.DefaultConsumerGroup;

    /// <summary>How the consumer authenticates to the cluster; plaintext unless the host's settings say otherwise.</summary>
    public KafkaSecurity Security { get; init; } = KafkaSecurity.Plaintext;

    /// <summary>A batch is handed to the sink once it holds this many records…</summary>
    public int MaxBatchRecords { get; init; } = 500;

    /// <summary>…or this many key + value bytes (a single larger record still forms a batch of one)…</summary>
    public int MaxBatchBytes { get; init; } = 1024 * 1024;

    /// <summary>…or once its first record has waited this long.</summary>
    public TimeSpan MaxBatchWait { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// When set, <see cref="StreamProcessor.RunAsync"/> returns once every owned partition was read to its end, no
    /// message arrived for this long (time spent paused does not count) and everything read is stored and committed.
    /// </summary>
    public TimeSpan? UntilIdle { get; init; }

    /// <summary>
    /// Batches queued for the sink besides the one it is writing. When the queue is full the consumer pauses its
    /// partitions, so at most <c>(MaxInFlightBatches + 2) × MaxBatchRecords</c> records wait in memory.
    /// </summary>
    public int MaxInFlightBatches { get; init; } = 2;

    /// <summary>
    /// Batches written to the sink side by side (1: one at a time). More than one hides a remote sink's round trips
    /// (BigQuery); batches still complete and commit in order. Only for sinks whose writes may overlap (not DuckDB,
    /// which has one writer). Each adds one batch to the records held in memory.
    /// </summary>
    public int MaxConcurrentWrites { get; init; } = 1;

    /// <summary>
    /// How long the loop waits for room in a full batch queue (without fetching more) before it pauses its
    /// partitions. Short stalls are absorbed without a pause/resume cycle, which costs a refetch.
    /// </summary>
    public TimeSpan PauseAfter { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>First delay between attempts of a failing batch; grows exponentially with jitter up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// On a revocation, how long to wait for queued and in-flight batches so their offsets can be committed before
    /// the partitions move. Past it the new owner re-reads them (duplicates, never loss). Keep it well under
    /// <c>max.poll.interval.ms</c> (5 minutes by default).
    /// </summary>
    public TimeSpan RebalanceDrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>After cancellation, how long the batch being written may take before its sink call is cancelled too.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>With <see cref="UntilIdle"/>: when no partition was ever assigned, start the idle clock after this long anyway.</summary>
    public TimeSpan JoinGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest single wait in <c>Consume</c>; bounds how late acknowledged offsets are committed.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Extra librdkafka settings applied over the project defaults (e.g. <c>session.timeout.ms</c>).</summary>
    public IReadOnlyDictionary<string, string>? ConsumerSettings { get; init; }

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(BootstrapServers);
        ArgumentException.ThrowIfNullOrWhiteSpace(Topic);
        ArgumentException.ThrowIfNullOrWhiteSpace(GroupId);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchRecords, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInFlightBatches, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentWrites, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchWait, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RetryBaseDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryMaxDelay, RetryBaseDelay);
        ArgumentOutOfRangeException.ThrowIfLessThan(RebalanceDrainTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(ShutdownTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PollInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(PauseAfter, TimeSpan.Zero);
        if (UntilIdle is { } idle)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(idle, TimeSpan.Zero, nameof(UntilIdle));
        }
    }
}
