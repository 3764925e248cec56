using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>
/// jobs.query for the exactly-once sink's watermark: the highest kafka_offset stored per Kafka partition, from every
/// row the stand-in holds (insertAll and Storage Write alike). Only the two exact statements the sink sends are
/// answered; any other SQL keeps the stand-in's default answer. The answer is a QueryResponse with jobComplete, the
/// schema [kafka_partition INTEGER, max_offset INTEGER] and f/v rows with int64 values as strings, as BigQuery's REST
/// API renders INTEGER cells (https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/query).
/// </summary>
internal sealed partial class BigQueryStandIn
{
    [GeneratedRegex(
        @"^SELECT kafka_partition, MAX\(kafka_offset\) AS max_offset FROM `(?<project>[^`.]+)\.(?<dataset>[^`.]+)\.(?<table>[^`.]+)` " +
        @"WHERE (?:kafka_topic = '(?<topic>(?:[^'\\]|\\.)*)' AND )?kafka_partition IN \((?<partitions>\d+(?:, \d+)*)\) " +
        @"AND (?<time>event_timestamp|failed_at) >= TIMESTAMP_SUB\(CURRENT_TIMESTAMP\(\), INTERVAL (?<days>\d+) DAY\) GROUP BY kafka_partition$",
        RegexOptions.CultureInvariant)]
    private static partial Regex WatermarkSql();

    /// <summary>The watermark answer, or null when the request is not one of the two watermark statements.</summary>
    private JsonObject? AnswerWatermark(RecordedRequest request, string project)
    {
        if (!request.Json.TryGetProperty("query", out var sql) || sql.ValueKind != JsonValueKind.String
            || WatermarkSql().Match(sql.GetString()!) is not { Success: true } match)
        {
            return null;
        }

        var partitions = match.Groups["partitions"].Value.Split(", ").Select(p => long.Parse(p, CultureInfo.InvariantCulture)).ToList();
        var topic = match.Groups["topic"].Success ? Regex.Replace(match.Groups["topic"].Value, @"\\(.)", "$1") : null;
        // The two shapes only: transactions by event time without a topic, dead letters by failure time with one.
        var shape = (match.Groups["time"].Value, topic is null);
        if (shape is not ("event_timestamp", true) and not ("failed_at", false) || !partitions.SequenceEqual(partitions.Order().Distinct()))
        {
            return null;
        }

        var since = Clock.GetUtcNow() - TimeSpan.FromDays(int.Parse(match.Groups["days"].Value, CultureInfo.InvariantCulture));
        var table = $"{match.Groups["dataset"].Value}.{match.Groups["table"].Value}";
        var maxima = new SortedDictionary<long, long>();
        foreach (var row in LiveRows(table))
        {
            var partition = Long(row.GetProperty("kafka_partition"));
            if (partitions.Contains(partition)
                && (topic is null || row.GetProperty("kafka_topic").GetString() == topic)
                && DateTimeOffset.Parse(row.GetProperty(match.Groups["time"].Value).GetString()!, CultureInfo.InvariantCulture) >= since)
            {
                var offset = Long(row.GetProperty("kafka_offset"));
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

    private static long Long(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? long.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetInt64();
}
