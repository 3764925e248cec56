namespace Ecommerce.Pipeline.Kafka.Backfill;

/// <summary>Settings of a <see cref="BackfillRunner"/> and its <see cref="KafkaRangeReader"/>.</summary>
public sealed record BackfillOptions
{
    /// <summary>The backfill's own group id. It never joins the group nor commits: it only names the client to the broker.</summary>
    public const string DefaultGroupId = "ecommerce-pipeline-backfill";

    public required string BootstrapServers { get; init; }

    public required BackfillWindow Window { get; init; }

    public string Topic { get; init; } = Embedded.EmbeddedKafkaCluster.TransactionsTopic;

    public string GroupId { get; init; } = DefaultGroupId;

    /// <summary>
    /// The live processor's group. When set, each partition is read only up to that group's committed offset, and not
    /// at all where it has none: a sink that skips records at or below the highest offset stored (the Storage Write
    /// API's exactly-once watermark) would otherwise see that offset jump past records the live processor has not
    /// stored yet, and skip them. Its offsets are only read (never joined, never committed).
    /// </summary>
    public string? LiveGroupId { get; init; }

    /// <summary>How the reader authenticates to the cluster; plaintext unless the host's settings say otherwise.</summary>
    public KafkaSecurity Security { get; init; } = KafkaSecurity.Plaintext;

    /// <summary>Records per batch handed to the batch handler (one sink write each).</summary>
    public int MaxBatchRecords { get; init; } = 5000;

    /// <summary>
    /// A partition is read until a message's timestamp reaches <c>To + LateArrivalGrace</c> (or the high watermark
    /// captured at the start). CreateTime is set by producers, so it is not strictly ordered within a partition (clock
    /// skew, several producers, retries); this slack lets a slightly late in-window message still be found after the
    /// first one past the window. Messages later than this are not read.
    /// </summary>
    public TimeSpan LateArrivalGrace { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Bound of each broker request (metadata, watermarks, offsets lookup, a probe read).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts per batch before the backfill fails (a rerun is safe: the sink is idempotent).</summary>
    public int MaxBatchAttempts { get; init; } = 5;

    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Batches queued for the sink while the next ones are read.</summary>
    public int MaxInFlightBatches { get; init; } = 2;

    /// <summary>Extra librdkafka settings over the project defaults.</summary>
    public IReadOnlyDictionary<string, string>? ConsumerSettings { get; init; }

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(BootstrapServers);
        ArgumentException.ThrowIfNullOrWhiteSpace(Topic);
        ArgumentException.ThrowIfNullOrWhiteSpace(GroupId);
        ArgumentNullException.ThrowIfNull(Window);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchRecords, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(LateArrivalGrace, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RequestTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchAttempts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInFlightBatches, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RetryBaseDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryMaxDelay, RetryBaseDelay);
    }
}

/// <summary>Live counters of a backfill, safe to read from another thread (a progress display).</summary>
public sealed class BackfillCounters
{
    internal long _read;
    internal long _inWindow;
    internal long _stored;
    internal long _duplicates;
    internal long _deadLetters;
    internal long _batches;
    internal long _retries;
    internal long _toRead;
    internal long _leftToLive;

    /// <summary>Messages read from the start offsets on (those outside the window included).</summary>
    public long Read => Interlocked.Read(ref _read);

    /// <summary>Messages whose timestamp is inside the window.</summary>
    public long InWindow => Interlocked.Read(ref _inWindow);

    public long Stored => Interlocked.Read(ref _stored);

    public long Duplicates => Interlocked.Read(ref _duplicates);

    public long DeadLetters => Interlocked.Read(ref _deadLetters);

    public long Batches => Interlocked.Read(ref _batches);

    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Upper bound of <see cref="Read"/> once the plan is made (start offsets to where the reads end); 0 before.</summary>
    public long ToRead => Interlocked.Read(ref _toRead);

    /// <summary>Offsets the plan leaves to the live processor (<see cref="PartitionPlan.LeftToLive"/>, summed); 0 before.</summary>
    public long LeftToLive => Interlocked.Read(ref _leftToLive);
}

/// <summary>The result of a backfill (or of a dry run, where nothing is stored).</summary>
public sealed record BackfillSummary(
    long Read,
    long InWindow,
    long Stored,
    long Duplicates,
    long DeadLetters,
    long Batches,
    IReadOnlyList<PartitionPlan> Plan,
    IReadOnlyList<PartitionCount> PerPartition,
    TimeSpan Elapsed)
{
    public int Partitions => Plan.Count;

    /// <summary>Offsets left to the live processor by the cap at its group's committed offsets (0 without a cap).</summary>
    public long LeftToLive => Plan.Sum(p => p.LeftToLive);
}
