using System.Globalization;
using System.Text.Json;
using Ecommerce.Pipeline.BigQuery.Maintenance;
using Ecommerce.Pipeline.BigQuery.Rest;
using Ecommerce.Pipeline.Core.Schema;

namespace Ecommerce.Pipeline.BigQuery.StorageWrite;

/// <summary>
/// Reads, with one <c>jobs.query</c>, the highest Kafka offset stored in a table for each of some partitions: the
/// watermark at or below which a redelivered record is already stored. Only the retention window is scanned (both
/// tables are partitioned by day and require a partition filter); a row older than that has expired anyway.
/// </summary>
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

    /// <summary>The statement, e.g. <c>SELECT kafka_partition, MAX(kafka_offset) AS max_offset FROM `p.d.transactions` WHERE …</c>.</summary>
    public string Sql(IEnumerable<int> partitions)
    {
        var list = string.Join(", ", partitions.Order().Select(p => p.ToString(CultureInfo.InvariantCulture)));
        var topic = _topic is null ? "" : $"{TopicColumn} = {StringLiteral(_topic)} AND ";
        return string.Create(CultureInfo.InvariantCulture,
            $"SELECT {PartitionColumn}, MAX({OffsetColumn}) AS max_offset FROM `{_table}` WHERE {topic}{PartitionColumn} IN ({list}) AND {_timeColumn} >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL {WindowDays} DAY) GROUP BY {PartitionColumn}");
    }

    /// <summary>A GoogleSQL string literal: quoted, with <c>\</c> and <c>'</c> escaped by a backslash.</summary>
    public static string StringLiteral(string value) =>
        "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    /// <summary>The watermark of each partition; -1 for a partition with no row in the window.</summary>
    public async Task<Dictionary<int, long>> ReadAsync(IReadOnlyCollection<int> partitions, CancellationToken cancellationToken)
    {
        var watermarks = partitions.ToDictionary(p => p, _ => -1L);
        if (partitions.Count == 0)
        {
            return watermarks;
        }

        var request = new QueryRequest { Query = Sql(partitions), UseLegacySql = false, TimeoutMs = ServerWaitMs };
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
