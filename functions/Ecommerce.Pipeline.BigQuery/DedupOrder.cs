using Ecommerce.Pipeline.Core.Schema;

namespace Ecommerce.Pipeline.BigQuery;

/// <summary>
/// Which copy of a transaction_id is kept when BigQuery holds several: insertId de-duplication is best effort, and
/// which copy survives it is not defined. The first read from Kafka wins (partition, then offset; ingested_at only
/// breaks ties between identical copies). The <c>transactions_dedup</c> view and compaction both use this order, so
/// a query before compaction and after it sees the same row.
/// </summary>
public static class DedupOrder
{
    public static IReadOnlyList<string> Columns { get; } =
        [.. new[] { "kafka_partition", "kafka_offset", "ingested_at" }.Select(c => PipelineSchema.Transactions[c].Name)];

    /// <summary>The ORDER BY list of the ROW_NUMBER() window: <c>kafka_partition, kafka_offset, ingested_at</c>.</summary>
    public static string OrderBy => string.Join(", ", Columns);
}
