using System.Globalization;
using System.Text.Json;
using Ecommerce.Pipeline.BigQuery.Maintenance;
using Ecommerce.Pipeline.BigQuery.Rest;
using Ecommerce.Pipeline.Core.Schema;

namespace Ecommerce.Pipeline.BigQuery.StorageWrite;

/// <summary>
/// Reads, with one <c>jobs.query</c>, the highest Kafka offset stored in a table for each of some partitions at or
/// above a given offset: the watermark at or below which a redelivered record is already stored. Both tables are
/// partitioned by day and require a partition filter; a query is billed by the day partitions it scans
/// (https://cloud.google.com/bigquery/docs/querying-partitioned-tables: pruned partitions are not counted).
/// </summary>
/// <remarks>
/// <para>Why a bounded query is enough: a table holds a prefix of each partition's records, so a stored row at offset
/// o means every record of the partition below o is stored. The writer needs W only against the records it is about
/// to write, so the rows at or above the batch's first offset of each partition suffice; none there means W is below
/// that offset. Transactions are further narrowed to the UTC days of the batch's event times (the table's partition
/// column): every stored row of the batch has its record's event time, so the answer still separates the batch's
/// stored records from the rest. It may stop short of rows stored beyond the batch, so the writer does not keep such
/// an answer past the batch (<see cref="NarrowsByTime"/>).</para>
/// <para>Dead letters keep the retention window (retention plus a day): their partition column is the time of
/// failure, which differs between deliveries of the same record.</para>
/// </remarks>
internal sealed class WatermarkQuery
{
    /// <summary>Retention plus a day: the query's window always covers every partition that still holds rows.</summary>
    public static readonly int WindowDays = PipelineSchema.RetentionDays + 1;

    private const long ServerWaitMs = 10_000;

    private static readonly string PartitionColumn = PipelineSchema.Transactions["kafka_partition"].Name;
    private static readonly string OffsetColumn = PipelineSchema.Transactions["kafka_offset"].Name;
    private static readonly string TopicColumn = PipelineSchema.DeadLetters["kafka_topic"].Name;

    private readonly BigQueryClient _client;
    private readonly string _projectId;
    private readonly string _table;
    private readonly string _timeColumn;
    private readonly string? _topic;

    private WatermarkQuery(BigQueryClient client, string projectId, string table, string timeColumn, string? topic)
    {
        _client = client;
        _projectId = projectId;
        _table = table;
        _timeColumn = timeColumn;
        _topic = topic;
    }

    public static WatermarkQuery Transactions(BigQueryClient client, BigQuerySinkOptions options) =>
        new(client, options.ProjectId, BigQueryCompaction.QualifiedName(options.ProjectId, options.DatasetId, options.TableId),
            PipelineSchema.PartitionColumn, null);

    /// <summary>Dead letters of <paramref name="topic"/> only: the table may hold other topics' under the same partition numbers.</summary>
    public static WatermarkQuery DeadLetters(BigQueryClient client, BigQuerySinkOptions options, string topic) =>
        new(client, options.ProjectId, BigQueryCompaction.QualifiedName(options.ProjectId, options.DatasetId, options.DeadLetterTableId),
            BigQueryTables.DeadLetterPartitionColumn, topic);

    /// <summary>Whether <see cref="ReadAsync"/> is narrowed to the batch's event days (transactions), so an answer at or
    /// above the batch's last offset may be below what the table holds beyond the batch.</summary>
    public bool NarrowsByTime => _topic is null;

    /// <summary>
    /// The statement, e.g. <c>SELECT kafka_partition, MAX(kafka_offset) AS max_offset FROM `p.d.transactions` WHERE
    /// ((kafka_partition = 0 AND kafka_offset &gt;= 120)) AND event_timestamp &gt;= TIMESTAMP('2026-12-07') AND
    /// event_timestamp &lt; TIMESTAMP('2026-12-08') GROUP BY kafka_partition</c>.
    /// </summary>
    /// <param name="firstOffsets">Per partition, the lowest offset the batch holds for this table.</param>
    /// <param name="days">The UTC days of the batch's event times, first and last (transactions only).</param>
    public string Sql(IReadOnlyDictionary<int, long> firstOffsets, (DateOnly First, DateOnly Last) days)
    {
        var ranges = string.Join(" OR ", firstOffsets.OrderBy(p => p.Key)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"({PartitionColumn} = {p.Key} AND {OffsetColumn} >= {p.Value})")));
        var topic = _topic is null ? "" : $"{TopicColumn} = {StringLiteral(_topic)} AND ";
        // TIMESTAMP('yyyy-MM-dd') is midnight UTC, the boundary of the table's day partitions.
        var time = NarrowsByTime
            ? $"{_timeColumn} >= TIMESTAMP('{days.First:yyyy-MM-dd}') AND {_timeColumn} < TIMESTAMP('{days.Last.AddDays(1):yyyy-MM-dd}')"
            : $"{_timeColumn} >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL {WindowDays} DAY)";
        return string.Create(CultureInfo.InvariantCulture,
            $"SELECT {PartitionColumn}, MAX({OffsetColumn}) AS max_offset FROM `{_table}` WHERE {topic}({ranges}) AND {time} GROUP BY {PartitionColumn}");
    }

    /// <summary>A GoogleSQL string literal: quoted, with <c>\</c> and <c>'</c> escaped by a backslash.</summary>
    public static string StringLiteral(string value) =>
        "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    /// <summary>
    /// The watermark of each partition as far as the batch needs it: the highest stored offset at or above its first
    /// offset, else that offset minus one (nothing of the batch is stored).
    /// </summary>
    public async Task<Dictionary<int, long>> ReadAsync(IReadOnlyDictionary<int, long> firstOffsets, (DateOnly First, DateOnly Last) days,
        CancellationToken cancellationToken)
    {
        var watermarks = firstOffsets.ToDictionary(p => p.Key, p => p.Value - 1);
        if (firstOffsets.Count == 0)
        {
            return watermarks;
        }

        var request = new QueryRequest { Query = Sql(firstOffsets, days), UseLegacySql = false, TimeoutMs = ServerWaitMs };
        var response = await _client.QueryAsync(_projectId, request, cancellationToken).ConfigureAwait(false);
        var (complete, rows, errors) = (response.JobComplete == true, response.Rows, response.Errors);
        while (!complete)
        {
            var job = response.JobReference ?? throw new BigQueryException("jobs.query returned an incomplete job without a jobReference.");
            var results = await _client.GetQueryResultsAsync(job, ServerWaitMs, cancellationToken).ConfigureAwait(false);
            (complete, rows, errors) = (results.JobComplete == true, results.Rows, results.Errors);
        }

        if (errors is [var first, ..])
        {
            throw new BigQueryException($"The watermark query on {_table} failed: {first.Reason}: {first.Message}");
        }

        foreach (var row in rows ?? [])
        {
            if (row.Cells is [var partition, var offset, ..])
            {
                watermarks[(int)Cell(partition)] = Cell(offset);
            }
        }

        return watermarks;
    }

    private long Cell(TableCell cell) =>
        cell.Value.ValueKind == JsonValueKind.String
        && long.TryParse(cell.Value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new BigQueryException($"The watermark query on {_table} returned {cell.Value} where an integer was expected.");
}
