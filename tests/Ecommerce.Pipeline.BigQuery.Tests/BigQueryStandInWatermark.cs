using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>
/// jobs.query for the exactly-once sink's watermark: the highest kafka_offset stored per Kafka partition at or above
/// the statement's offset of that partition, from every row the stand-in holds (insertAll and Storage Write alike)
/// that passes the statement's time filter. Only the two exact statements the sink sends are answered (transactions
/// bounded to whole UTC days of event_timestamp, dead letters of one topic over the retention window of failed_at);
/// any other SQL keeps the stand-in's default answer. The answer is a QueryResponse with jobComplete, the
/// schema [kafka_partition INTEGER, max_offset INTEGER] and f/v rows with int64 values as strings, as BigQuery's REST
/// API renders INTEGER cells (https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/query).
/// </summary>
internal sealed partial class BigQueryStandIn
{
    [GeneratedRegex(
        @"^SELECT kafka_partition, MAX\(kafka_offset\) AS max_offset FROM `(?<project>[^`.]+)\.(?<dataset>[^`.]+)\.(?<table>[^`.]+)` " +
        @"WHERE (?:kafka_topic = '(?<topic>(?:[^'\\]|\\.)*)' AND )?\((?<ranges>\(kafka_partition = \d+ AND kafka_offset >= \d+\)(?: OR \(kafka_partition = \d+ AND kafka_offset >= \d+\))*)\) " +
        @"AND (?:(?<time>failed_at) >= TIMESTAMP_SUB\(CURRENT_TIMESTAMP\(\), INTERVAL (?<days>\d+) DAY\)" +
        @"|(?<time>event_timestamp) >= TIMESTAMP\('(?<from>\d{4}-\d{2}-\d{2})'\) AND event_timestamp < TIMESTAMP\('(?<to>\d{4}-\d{2}-\d{2})'\)) GROUP BY kafka_partition$",
        RegexOptions.CultureInvariant)]
    private static partial Regex WatermarkSql();

    [GeneratedRegex(@"\(kafka_partition = (?<partition>\d+) AND kafka_offset >= (?<offset>\d+)\)", RegexOptions.CultureInvariant)]
    private static partial Regex WatermarkRange();

    /// <summary>The SQL of every jobs.query received, in order.</summary>
    public IReadOnlyList<string> Queries =>
        [.. Requests.Where(r => r.MethodId == "bigquery.jobs.query").Select(r => r.Json.GetProperty("query").GetString()!)];

    /// <summary>The watermark answer, or null when the request is not one of the two watermark statements.</summary>
    private JsonObject? AnswerWatermark(RecordedRequest request, string project)
    {
        if (!request.Json.TryGetProperty("query", out var sql) || sql.ValueKind != JsonValueKind.String
            || WatermarkSql().Match(sql.GetString()!) is not { Success: true } match)
        {
            return null;
        }

        var ranges = WatermarkRange().Matches(match.Groups["ranges"].Value)
            .Select(r => (Partition: Long(r.Groups["partition"].Value), From: Long(r.Groups["offset"].Value))).ToList();
        var partitions = ranges.Select(r => r.Partition).ToList();
        var topic = match.Groups["topic"].Success ? Regex.Replace(match.Groups["topic"].Value, @"\\(.)", "$1") : null;
        // The two shapes only: transactions by whole UTC days of event time without a topic, dead letters by failure
        // time with one.
        var timeColumn = match.Groups["time"].Value;
        var shape = (timeColumn, topic is null, match.Groups["days"].Success);
        if (shape is not ("event_timestamp", true, false) and not ("failed_at", false, true) || !partitions.SequenceEqual(partitions.Order().Distinct()))
        {
            return null;
        }

        var (since, until) = match.Groups["days"].Success
            ? (Clock.GetUtcNow() - TimeSpan.FromDays(int.Parse(match.Groups["days"].Value, CultureInfo.InvariantCulture)), DateTimeOffset.MaxValue)
            : (Midnight(match.Groups["from"].Value), Midnight(match.Groups["to"].Value));
        if (since >= until)
        {
            return null;
        }

        var table = $"{match.Groups["dataset"].Value}.{match.Groups["table"].Value}";
        var firstOffsets = ranges.ToDictionary(r => r.Partition, r => r.From);
        var maxima = new SortedDictionary<long, long>();
        foreach (var row in LiveRows(table))
        {
            var partition = Long(row.GetProperty("kafka_partition"));
            var offset = Long(row.GetProperty("kafka_offset"));
            var time = DateTimeOffset.Parse(row.GetProperty(timeColumn).GetString()!, CultureInfo.InvariantCulture);
            if (firstOffsets.TryGetValue(partition, out var from) && offset >= from
                && (topic is null || row.GetProperty("kafka_topic").GetString() == topic)
                && time >= since && time < until)
            {
                maxima[partition] = maxima.TryGetValue(partition, out var max) ? Math.Max(max, offset) : offset;
            }
        }

        var rows = new JsonArray([.. maxima.Select(m => (JsonNode)new JsonObject
        {
            ["f"] = new JsonArray(
                new JsonObject { ["v"] = m.Key.ToString(CultureInfo.InvariantCulture) },
                new JsonObject { ["v"] = m.Value.ToString(CultureInfo.InvariantCulture) }),
        })]);
        var answer = new JsonObject
        {
            ["kind"] = "bigquery#queryResponse",
            ["jobComplete"] = true,
            ["jobReference"] = new JsonObject { ["projectId"] = project, ["jobId"] = "job_watermark", ["location"] = "EU" },
            ["schema"] = new JsonObject
            {
                ["fields"] = new JsonArray(
                    new JsonObject { ["name"] = "kafka_partition", ["type"] = "INTEGER", ["mode"] = "NULLABLE" },
                    new JsonObject { ["name"] = "max_offset", ["type"] = "INTEGER", ["mode"] = "NULLABLE" }),
            },
            ["totalRows"] = maxima.Count.ToString(CultureInfo.InvariantCulture),
        };
        if (rows.Count > 0)
        {
            // No result rows: BigQuery leaves "rows" out altogether (seratch/bigquery4s#3: getRows() is null then).
            answer["rows"] = rows;
        }

        return answer;
    }

    /// <summary>GoogleSQL's TIMESTAMP('yyyy-MM-dd'): midnight in the default time zone, UTC.</summary>
    private static DateTimeOffset Midnight(string day) =>
        new(DateOnly.ParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture), TimeOnly.MinValue, TimeSpan.Zero);

    private static long Long(string value) => long.Parse(value, CultureInfo.InvariantCulture);

    private static long Long(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? long.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetInt64();
}
