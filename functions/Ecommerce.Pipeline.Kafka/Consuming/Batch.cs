using Ecommerce.Pipeline.Core.Model;

namespace Ecommerce.Pipeline.Kafka.Consuming;

/// <summary>A sealed batch and, once handed off, the next offset per partition it covers.</summary>
internal sealed class Batch(List<RawRecord> records)
{
    public List<RawRecord> Records { get; } = records;

    /// <summary>Stamped by the <see cref="PartitionLedger"/> at hand-off; empty where nothing is committed (backfill).</summary>
    public PartitionOffset[] Offsets { get; set; } = [];
}

/// <summary>The offset to commit for a partition once a batch is acknowledged, and the assignment it was read under.</summary>
internal readonly record struct PartitionOffset(int Partition, long Next, int Epoch);
