namespace Ecommerce.Pipeline.BigQuery.StorageWrite;

/// <summary>How long the exactly-once sink trusts a partition's watermark (the highest Kafka offset stored).</summary>
public enum WatermarkPolicy
{
    /// <summary>
    /// Re-read from the table before every batch (<see cref="StorageWriteOptions.WatermarkTrust"/> zero): the host cannot tell the sink when partitions move (the Functions
    /// host, where the Kafka extension owns offsets and rebalances), so another process may have written meanwhile.
    /// </summary>
    EveryBatch,

    /// <summary>Read once after assignment, then kept up to date by this process's own appends until the partition is released.</summary>
    UntilReleased,

    /// <summary>
    /// The host cannot tell the sink when partitions move, but a batch that starts right after this process's last
    /// acknowledged offset of its partition, within <see cref="StorageWriteOptions.WatermarkTrust"/>, continues this
    /// process's own writing and is written on the watermark it holds; any other batch reads it again.
    /// </summary>
    WhileContiguous,
}
