using System.Globalization;
using System.Text.Json.Nodes;

namespace Ecommerce.Pipeline.BigQuery.Tests.Maintenance;

/// <summary>Tables and query answers for the maintenance tests, shaped as the discovery document says.</summary>
internal static class MaintenanceFixtures
{
    public static readonly DateOnly Day = new(2026, 11, 24);

    /// <summary>The transactions table as the sink creates it, optionally with a streaming buffer.</summary>
    public static JsonNode Transactions(DateTimeOffset? oldestBuffered = null)
    {
        var table = JsonNode.Parse(BigQueryTables.ToJson(BigQueryTables.Transactions("proj", "ds")))!;
        table["kind"] = "bigquery#table";
        if (oldestBuffered is { } oldest)
        {
            table["streamingBuffer"] = new JsonObject
            {
                ["estimatedRows"] = "120",
                ["estimatedBytes"] = "48000",
                ["oldestEntryTime"] = oldest.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            };
        }

        return table;
    }

    public static JsonNode DeadLetters(string? expirationMs)
    {
        var table = JsonNode.Parse(BigQueryTables.ToJson(BigQueryTables.DeadLetters("proj", "ds")))!;
        if (expirationMs is null)
        {
            table["timePartitioning"]!.AsObject().Remove("expirationMs");
        }
        else
        {
            table["timePartitioning"]!["expirationMs"] = expirationMs;
        }

        return table;
    }

    public static JsonObject Job(string jobId) => new() { ["projectId"] = "proj", ["jobId"] = jobId, ["location"] = "EU" };

    /// <summary>A completed SELECT COUNT(*), COUNT(DISTINCT …) answer.</summary>
    public static JsonNode Counts(long rows, long distinct) => new JsonObject
    {
        ["kind"] = "bigquery#queryResponse",
        ["jobComplete"] = true,
        ["jobReference"] = Job("job_count"),
        ["schema"] = new JsonObject
        {
            ["fields"] = new JsonArray(
                new JsonObject { ["name"] = "row_count", ["type"] = "INTEGER", ["mode"] = "NULLABLE" },
                new JsonObject { ["name"] = "distinct_ids", ["type"] = "INTEGER", ["mode"] = "NULLABLE" }),
        },
        ["rows"] = new JsonArray(new JsonObject
        {
            ["f"] = new JsonArray(new JsonObject { ["v"] = Text(rows) }, new JsonObject { ["v"] = Text(distinct) }),
        }),
        ["totalRows"] = "1",
        ["totalBytesProcessed"] = "80000",
    };

    /// <summary>A completed MERGE: every row of the partition deleted, the distinct ones inserted.</summary>
    public static JsonNode Merged(long deleted, long inserted) => new JsonObject
    {
        ["kind"] = "bigquery#queryResponse",
        ["jobComplete"] = true,
        ["jobReference"] = Job("job_merge"),
        ["numDmlAffectedRows"] = Text(deleted + inserted),
        ["dmlStats"] = new JsonObject { ["deletedRowCount"] = Text(deleted), ["insertedRowCount"] = Text(inserted), ["updatedRowCount"] = "0" },
        ["totalBytesProcessed"] = "5120000",
    };

    public static JsonNode DryRun(long bytes) => new JsonObject
    {
        ["kind"] = "bigquery#queryResponse",
        ["jobComplete"] = true,
        ["totalBytesProcessed"] = Text(bytes),
        ["schema"] = new JsonObject { ["fields"] = new JsonArray() },
    };

    public static JsonNode Error(int code, string reason, string message) => new JsonObject
    {
        ["error"] = new JsonObject
        {
            ["code"] = code,
            ["message"] = message,
            ["errors"] = new JsonArray(new JsonObject { ["reason"] = reason, ["message"] = message }),
        },
    };

    /// <summary>Answers count queries from <paramref name="counts"/> in turn, and MERGEs with <paramref name="merge"/>.</summary>
    public static Func<RecordedRequest, JsonNode?> Answers(Queue<(long Rows, long Distinct)> counts, Func<JsonNode> merge) => request =>
    {
        var sql = request.Json.GetProperty("query").GetString()!;
        if (request.Json.TryGetProperty("dryRun", out var dry) && dry.GetBoolean())
        {
            return DryRun(123_456_789);
        }

        if (sql.StartsWith("SELECT COUNT(*)", StringComparison.Ordinal))
        {
            var (rows, distinct) = counts.Dequeue();
            return Counts(rows, distinct);
        }

        return sql.StartsWith("MERGE ", StringComparison.Ordinal) ? merge() : Error(400, "invalidQuery", "unexpected SQL: " + sql);
    };

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
