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
/// the window start) up to <see cref="High"/>, the high watermark captured when the plan was made, so messages that
/// arrive during the backfill are left to the live processor.
/// </summary>
public sealed record PartitionPlan(int Partition, long Low, long High, long Start, StartLookup FoundBy)
{
    /// <summary>The most messages this partition can yield (the read may stop earlier, once timestamps pass the window).</summary>
    public long MaxToRead => Math.Max(0, High - Start);
}

/// <summary>What was read from one partition.</summary>
public sealed record PartitionCount(int Partition, long Read, long InWindow);
