using Ecommerce.Pipeline.Core.Schema;

namespace Ecommerce.Pipeline.BigQuery;

/// <summary>Where the sink writes and how it shapes its requests.</summary>
public sealed class BigQuerySinkOptions
{
    public required string ProjectId { get; init; }
    public required string DatasetId { get; init; }
    public string TableId { get; init; } = PipelineSchema.TransactionsTable;

    /// <summary>The dead-letter table, in the same dataset.</summary>
    public string DeadLetterTableId { get; init; } = PipelineSchema.DeadLettersTable;

    /// <summary>Create missing tables at start (tables.get, then tables.insert). Off: a missing table is fatal.</summary>
    public bool CreateTables { get; init; } = true;

    /// <summary>Google's recommendation is about 500 rows per insertAll.</summary>
    public int MaxRowsPerRequest { get; init; } = 500;

    /// <summary>
    /// The API refuses requests over 10 MB ("Request payload size exceeds the limit: 10485760 bytes."); 9 MB leaves
    /// room for headers. A request refused as too large anyway is split in halves, and later requests stay under it.
    /// </summary>
    public int MaxRequestBytes { get; init; } = 9 * 1024 * 1024;

    /// <summary>
    /// How long a 404 from a table this sink created is waited out: a new table can be unknown to the streaming
    /// system for minutes; Kafka Connect BigQuery waits up to 15 (confluentinc/kafka-connect-bigquery PR #97). A 404
    /// after that, or from a table that existed at start, stops the processor.
    /// </summary>
    public TimeSpan NewTableWait { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>The first wait for a new table; doubled (with jitter) up to <see cref="TableWaitMaxDelay"/>.</summary>
    public TimeSpan TableWaitBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan TableWaitMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>insertAll requests in flight at once for one batch.</summary>
    public int MaxConcurrentRequests { get; init; } = 8;

    /// <summary>Rounds of re-sending rows that came back <c>stopped</c> (or with a transient row error) before the batch fails.</summary>
    public int MaxRowResendRounds { get; init; } = 5;

    /// <summary>
    /// false (the default): a request holding an invalid row stores nothing, its valid rows come back <c>stopped</c>
    /// and are re-sent; the invalid ones become rejections.
    /// </summary>
    public bool SkipInvalidRows { get; init; }
}
