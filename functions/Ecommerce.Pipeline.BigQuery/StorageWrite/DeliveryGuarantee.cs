namespace Ecommerce.Pipeline.BigQuery.StorageWrite;

/// <summary>What the Storage Write sink promises about a record delivered more than once.</summary>
public enum DeliveryGuarantee
{
    /// <summary>One COMMITTED stream per (table, Kafka partition), appends with offsets, records at or below the stored watermark skipped.</summary>
    ExactlyOnce,

    /// <summary>The table's <c>_default</c> stream, no offsets: a redelivered record is stored again (the dedup view and compaction remove it).</summary>
    AtLeastOnce,
}
