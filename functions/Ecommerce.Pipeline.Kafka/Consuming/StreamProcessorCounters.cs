using System.Diagnostics;

namespace Ecommerce.Pipeline.Kafka.Consuming;

/// <summary>
/// Live counters of a <see cref="StreamProcessor"/> for a status line or a benchmark. Updated once per batch with
/// <see cref="Interlocked"/> (never per message); safe to read from any thread.
/// </summary>
public sealed class StreamProcessorCounters
{
    internal long _consumed;
    internal long _stored;
    internal long _deadLetters;
    internal long _duplicates;
    internal long _batches;
    internal long _sinkRetries;
    internal long _commits;
    internal long _bufferedRecords;
    internal long _maxBufferedRecords;
    internal long _lastBatchLatencyTicks;
    internal int _assignedPartitions;
    internal int _paused;
    internal long _commitFailures;
    internal long _rebalances;
    private KafkaHealth? _health;
    private long _lastContact;

    /// <summary>Records read from Kafka and formed into batches.</summary>
    public long Consumed => Volatile.Read(ref _consumed);

    /// <summary>Rows newly stored by the sink.</summary>
    public long Stored => Volatile.Read(ref _stored);

    public long DeadLetters => Volatile.Read(ref _deadLetters);

    public long Duplicates => Volatile.Read(ref _duplicates);

    /// <summary>Records of acknowledged batches: each was stored, dead-lettered or dropped as a duplicate.</summary>
    public long Handled => Stored + DeadLetters + Duplicates;

    /// <summary>Batches acknowledged by the sink (and so eligible for commit).</summary>
    public long Batches => Volatile.Read(ref _batches);

    /// <summary>Failed batch attempts that were retried.</summary>
    public long SinkRetries => Volatile.Read(ref _sinkRetries);

    /// <summary>Successful offset commits.</summary>
    public long Commits => Volatile.Read(ref _commits);

    /// <summary>Records in complete batches that the sink has not acknowledged yet (queued or being written).</summary>
    public long BufferedRecords => Volatile.Read(ref _bufferedRecords);

    /// <summary>The highest <see cref="BufferedRecords"/> seen; bounded by back-pressure.</summary>
    public long MaxBufferedRecords => Volatile.Read(ref _maxBufferedRecords);

    /// <summary>How long the last acknowledged batch took in the handler, retries included.</summary>
    public TimeSpan LastBatchLatency => TimeSpan.FromTicks(Volatile.Read(ref _lastBatchLatencyTicks));

    public int AssignedPartitions => Volatile.Read(ref _assignedPartitions);

    /// <summary>True while the consumer has paused its partitions because the sink is behind.</summary>
    public bool IsPaused => Volatile.Read(ref _paused) != 0;

    /// <summary>Offset commits that failed (their offsets stayed pending and a later commit took them).</summary>
    public long CommitFailures => Volatile.Read(ref _commitFailures);

    /// <summary>Assignment changes of this member: partitions assigned, revoked or lost.</summary>
    public long Rebalances => Volatile.Read(ref _rebalances);

    /// <summary>
    /// The longest time one of this member's partitions has had no reachable leader (zero when all have one), up to
    /// the moment of reading: it keeps growing until statistics show a leader again.
    /// </summary>
    public TimeSpan WithoutLeader => Since(Volatile.Read(ref _health)?.LeaderlessSince ?? 0);

    /// <summary>How long no record was fetched while this member's partitions have lag (zero when caught up), up to the moment of reading.</summary>
    public TimeSpan WithoutFetchProgress => Since(Volatile.Read(ref _health)?.StalledSince ?? 0);

    /// <summary>Time since a broker last answered, as of the last statistics (refreshed every second).</summary>
    public TimeSpan SinceContact => Stopwatch.GetElapsedTime(Volatile.Read(ref _lastContact) is var t and not 0 ? t : Stopwatch.GetTimestamp());

    internal void Publish(KafkaHealth health)
    {
        Volatile.Write(ref _health, health);
        Volatile.Write(ref _lastContact, health.LastContact);
    }

    private static TimeSpan Since(long timestamp) => timestamp == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(timestamp);
}
