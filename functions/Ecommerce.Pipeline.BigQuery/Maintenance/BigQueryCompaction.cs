using System.Globalization;
using System.Text.Json;
using Ecommerce.Pipeline.BigQuery.Rest;
using Ecommerce.Pipeline.BigQuery.StorageWrite;
using Ecommerce.Pipeline.Core.Schema;

namespace Ecommerce.Pipeline.BigQuery.Maintenance;

/// <summary>What <see cref="BigQueryCompaction"/> found and did for one day partition.</summary>
/// <param name="Date">The partition (UTC day of event_timestamp).</param>
/// <param name="Table">project.dataset.table.</param>
/// <param name="DryRun">Only a dry-run query job was sent: nothing ran, nothing changed.</param>
/// <param name="RowsBefore">Rows of the partition before (null for a dry run).</param>
/// <param name="RowsAfter">Rows of the partition after (null for a dry run).</param>
/// <param name="Merged">Whether the MERGE ran (it is skipped when every id is already unique).</param>
/// <param name="AffectedRows">
/// Rows the MERGE deleted plus rows it inserted, from the response's <c>dmlStats</c> (<c>numDmlAffectedRows</c> is
/// documented for INSERT, UPDATE and DELETE only); null when BigQuery did not report them.
/// </param>
/// <param name="BytesProcessed">totalBytesProcessed of the MERGE, or of the dry run (what the MERGE would read).</param>
/// <param name="StreamingBufferNote">For a dry run: why a real run would be refused now, or null.</param>
public sealed record BigQueryCompactionResult(DateOnly Date, string Table, bool DryRun, long? RowsBefore, long? RowsAfter,
    bool Merged, long? AffectedRows, long? BytesProcessed, string? StreamingBufferNote)
{
    public long? DuplicatesRemoved => RowsBefore - RowsAfter;
}

/// <summary>
/// <c>pipeline compact</c> on BigQuery: one MERGE query job (GoogleSQL, named parameter <c>@date</c> of type DATE)
/// that rewrites one day partition with exactly one row per transaction_id, the first by Kafka partition and offset
/// (ingested_at breaks ties; rows that are exact copies collapse to one).
/// </summary>
/// <remarks>
/// <para>The MERGE joins <c>ON FALSE</c>: every deduplicated source row is "not matched" and inserted, every target
/// row of the partition is "not matched by source" and deleted, in one atomic statement. Row-level DELETE cannot do
/// it (two identical rows cannot be told apart). The partition filter on event_timestamp is a range on constants, so
/// BigQuery prunes to the one partition for both the source scan and the delete, and the table's
/// requirePartitionFilter is met.</para>
/// <para>Order: <c>tables.get</c> (with insertAll, refuse while the streaming buffer may hold rows of the day, see
/// <see cref="StreamingBufferRule"/>), a count query (the MERGE is skipped when ids are already unique: it would
/// rewrite the partition for nothing), the MERGE, and a count again to check ids are unique.</para>
/// </remarks>
public sealed class BigQueryCompaction(BigQueryClient client, string projectId, string datasetId, string tableId)
{
    /// <summary>The server holds each jobs.query / getQueryResults call this long (under the HTTP timeout).</summary>
    private const long ServerWaitMs = 30_000;

    public string Table { get; } = QualifiedName(projectId, datasetId, tableId);

    /// <summary>See <see cref="StreamingBufferRule"/>.</summary>
    public TimeSpan LateArrivalMargin { get; init; } = StreamingBufferRule.DefaultLateArrivalMargin;

    /// <summary>How the table's rows are written, which decides the streaming-buffer rule; insertAll's is the stricter.</summary>
    public WriteApi WriteApi { get; init; } = WriteApi.InsertAll;

    /// <summary>The longest wait for a query job to finish.</summary>
    public TimeSpan JobTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>The range on the partition column that selects one UTC day; prunes to one partition.</summary>
    public static string PartitionFilter(string? alias = null)
    {
        var column = (alias is null ? "" : alias + ".") + PipelineSchema.PartitionColumn;
        return $"{column} >= TIMESTAMP(@date) AND {column} < TIMESTAMP(DATE_ADD(@date, INTERVAL 1 DAY))";
    }

    /// <summary>The compaction MERGE for <paramref name="table"/> (project.dataset.table).</summary>
    public static string MergeSql(string table)
    {
        var rank = DedupOrder.OrderBy;
        var id = PipelineSchema.Transactions["transaction_id"].Name;
        return $"""
            MERGE `{table}` AS target
            USING (
              SELECT * FROM `{table}`
              WHERE {PartitionFilter()}
              QUALIFY ROW_NUMBER() OVER (PARTITION BY {id} ORDER BY {rank}) = 1
            ) AS source
            ON FALSE
            WHEN NOT MATCHED BY SOURCE AND {PartitionFilter("target")} THEN DELETE
            WHEN NOT MATCHED THEN INSERT ROW
            """;
    }

    /// <summary>Rows and distinct ids of the day partition.</summary>
    public static string CountSql(string table) =>
        $"SELECT COUNT(*) AS row_count, COUNT(DISTINCT {PipelineSchema.Transactions["transaction_id"].Name}) AS distinct_ids " +
        $"FROM `{table}` WHERE {PartitionFilter()}";

    /// <summary>A GoogleSQL jobs.query request with <c>@date</c> bound as a DATE.</summary>
    public static QueryRequest Request(string sql, DateOnly date, bool dryRun = false) => new()
    {
        Query = sql,
        UseLegacySql = false,
        ParameterMode = "NAMED",
        QueryParameters =
        [
            new QueryParameter
            {
                Name = "date",
                ParameterType = new QueryParameterType { Type = "DATE" },
                ParameterValue = new QueryParameterValue { Value = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) },
            },
        ],
        DryRun = dryRun ? true : null,
        TimeoutMs = ServerWaitMs,
        // One id per logical query: a retried request is the same job, never a second MERGE.
        RequestId = dryRun ? null : Guid.NewGuid().ToString(),
    };

    /// <exception cref="MaintenanceRefusedException">The table is missing, or the day may still be in the streaming buffer.</exception>
    /// <exception cref="BigQueryException">BigQuery refused a call.</exception>
    public async Task<BigQueryCompactionResult> RunAsync(DateOnly date, bool dryRun, CancellationToken cancellationToken)
    {
        var table = await client.GetTableAsync(projectId, datasetId, tableId, cancellationToken).ConfigureAwait(false)
            ?? throw new MaintenanceRefusedException($"BigQuery table {Table} not found.");
        var refusal = StreamingBufferRule.Refusal(table.StreamingBuffer, date, LateArrivalMargin, WriteApi);
        if (dryRun)
        {
            var estimate = await client.QueryAsync(projectId, Request(MergeSql(Table), date, dryRun: true), cancellationToken)
                .ConfigureAwait(false);
            return new BigQueryCompactionResult(date, Table, true, null, null, false, null, ToLong(estimate.TotalBytesProcessed), refusal);
        }

        if (refusal is not null)
        {
            throw Refused(date, refusal);
        }

        var (before, distinct) = await CountAsync(date, cancellationToken).ConfigureAwait(false);
        if (before == distinct)
        {
            return new BigQueryCompactionResult(date, Table, false, before, before, false, null, null, null);
        }

        QueryOutcome merge;
        try
        {
            merge = await RunToCompletionAsync(Request(MergeSql(Table), date), cancellationToken).ConfigureAwait(false);
        }
        catch (BigQueryException ex) when (ex.Message.Contains("streaming buffer", StringComparison.OrdinalIgnoreCase))
        {
            // Rows of the day streamed later than the rule assumes (a backfill): BigQuery's own check caught them.
            throw Refused(date, "BigQuery says the MERGE would affect rows in the streaming buffer", ex);
        }

        var (after, distinctAfter) = await CountAsync(date, cancellationToken).ConfigureAwait(false);
        if (after != distinctAfter)
        {
            throw new MaintenanceRefusedException(string.Create(CultureInfo.InvariantCulture,
                $"After the MERGE, {Table} partition {date:yyyy-MM-dd} still has {after} rows for {distinctAfter} ids."));
        }

        return new BigQueryCompactionResult(date, Table, false, before, after, true, merge.AffectedRows, merge.BytesProcessed, null);
    }

    private MaintenanceRefusedException Refused(DateOnly date, string reason, Exception? inner = null)
    {
        var message = string.Create(CultureInfo.InvariantCulture,
            $"refusing to compact {Table} partition {date:yyyy-MM-dd}: {reason}. Nothing was changed; run again later.");
        return inner is null ? new MaintenanceRefusedException(message) : new MaintenanceRefusedException(message, inner);
    }

    private async Task<(long Rows, long Distinct)> CountAsync(DateOnly date, CancellationToken cancellationToken)
    {
        var outcome = await RunToCompletionAsync(Request(CountSql(Table), date), cancellationToken).ConfigureAwait(false);
        if (outcome.Rows is not [{ Cells: [var rows, var distinct, ..] }, ..])
        {
            throw new BigQueryException($"The count query on {Table} returned no row.");
        }

        return (Cell(rows), Cell(distinct));
    }

    private sealed record QueryOutcome(long? AffectedRows, long? BytesProcessed, IReadOnlyList<TableRow>? Rows);

    /// <summary>jobs.query, then jobs.getQueryResults until the job is complete (each call waits on the server).</summary>
    private async Task<QueryOutcome> RunToCompletionAsync(QueryRequest request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(JobTimeout);
        var response = await client.QueryAsync(projectId, request, timeout.Token).ConfigureAwait(false);
        if (response.JobComplete == true)
        {
            ThrowIfFailed(response.Errors);
            return new QueryOutcome(AffectedRows(response), ToLong(response.TotalBytesProcessed), response.Rows);
        }

        var job = response.JobReference
            ?? throw new BigQueryException("jobs.query returned an incomplete job without a jobReference.");
        while (true)
        {
            var results = await client.GetQueryResultsAsync(job, ServerWaitMs, timeout.Token).ConfigureAwait(false);
            if (results.JobComplete == true)
            {
                // getQueryResults has no dmlStats (discovery document); numDmlAffectedRows is what it offers.
                ThrowIfFailed(results.Errors);
                return new QueryOutcome(ToLong(results.NumDmlAffectedRows), ToLong(results.TotalBytesProcessed), results.Rows);
            }
        }
    }

    /// <summary>A finished job that reports errors did not do what was asked: never read it as a success.</summary>
    private void ThrowIfFailed(IReadOnlyList<ErrorProto>? errors)
    {
        if (errors is [var first, ..])
        {
            throw new BigQueryException(string.Create(CultureInfo.InvariantCulture,
                $"The query job on {Table} finished with {errors.Count} error(s), e.g. {first.Reason}: {first.Message}"));
        }
    }

    /// <summary>dmlStats (inserted + deleted + updated) when present, else numDmlAffectedRows.</summary>
    private static long? AffectedRows(QueryResponse response) => response.DmlStats is { } stats
        ? (ToLong(stats.InsertedRowCount) ?? 0) + (ToLong(stats.DeletedRowCount) ?? 0) + (ToLong(stats.UpdatedRowCount) ?? 0)
        : ToLong(response.NumDmlAffectedRows);

    private static long Cell(TableCell cell) =>
        cell.Value.ValueKind == JsonValueKind.String && long.TryParse(cell.Value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new BigQueryException($"Expected an integer cell, got {cell.Value}.");

    private static long? ToLong(string? value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;

    /// <summary>project.dataset.table for a backquoted identifier; characters that would end the quoting are refused.</summary>
    public static string QualifiedName(string projectId, string datasetId, string tableId)
    {
        foreach (var id in (string[])[projectId, datasetId, tableId])
        {
            if (string.IsNullOrWhiteSpace(id) || id.IndexOfAny(['`', '\\', '\n', '\r']) >= 0)
            {
                throw new ArgumentException($"'{id}' is not a usable BigQuery id.");
            }
        }

        return $"{projectId}.{datasetId}.{tableId}";
    }
}
