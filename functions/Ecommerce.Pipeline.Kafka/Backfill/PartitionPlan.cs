namespace Ecommerce.Pipeline.Kafka.Backfill;

/// <summary>How the start offset of a partition was found.</summary>
public enum StartLookup
{
    /// <summary>The partition holds no messages.</summary>
    Empty,

    /// <summary>The broker answered <c>OffsetsForTimes</c> (ListOffsets by timestamp).</summary>
    Broker,

    /// <summary>The broker had no answer although messages at or after the window start exist (the embedded mock): binary search.</summary>
    Search,

    /// <summary>Every message is older than the window start: nothing to read.</summary>
    AllBefore,
}

/// <summary>
/// Where a backfill reads one partition: from <see cref="Start"/> (the first offset whose timestamp is at or after
/// the window start) up to <see cref="End"/>: <see cref="High"/>, the high watermark captured when the plan was made,
/// so messages that arrive during the backfill are left to the live processor; or, when the read is capped at the live
/// group (<see cref="BackfillOptions.LiveGroupId"/>), that group's committed offset if lower.
/// </summary>
public sealed record PartitionPlan(int Partition, long Low, long High, long Start, StartLookup FoundBy)
{
    /// <summary>The read is capped at the live group's committed offset.</summary>
    public bool CappedAtLiveGroup { get; init; }

    /// <summary>The live group's committed offset (the next offset it reads), or null when it has none or none was read.</summary>
    public long? LiveCommitted { get; init; }

    /// <summary>
    /// Where the read stops (exclusive). Capped: the live group's committed offset, within [Start, High]; a partition the
    /// live group has committed nothing for is not read at all (the live processor will read it).
    /// </summary>
    public long End => CappedAtLiveGroup ? Math.Clamp(LiveCommitted ?? Start, Start, High) : High;

    /// <summary>The most messages this partition can yield (the read may stop earlier, once timestamps pass the window).</summary>
    public long MaxToRead => Math.Max(0, End - Start);

    /// <summary>Offsets from <see cref="End"/> up to the high watermark that the cap leaves to the live processor.</summary>
    public long LeftToLive => Math.Max(0, High - Math.Max(Start, End));
}

/// <summary>What was read from one partition.</summary>
public sealed record PartitionCount(int Partition, long Read, long InWindow);
