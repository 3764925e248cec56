using Ecommerce.Pipeline.BigQuery.StorageWrite;
using System.Text.Json;
using Ecommerce.Pipeline.BigQuery.Maintenance;
using Ecommerce.Pipeline.BigQuery.Rest;
using static Ecommerce.Pipeline.BigQuery.Tests.Maintenance.MaintenanceFixtures;

namespace Ecommerce.Pipeline.BigQuery.Tests.Maintenance;

/// <summary>The compaction MERGE and its checks, on the wire against the stand-in; every body validates against the discovery document.</summary>
public sealed class CompactionTests : IAsyncLifetime, IDisposable
{
    private BigQueryStandIn _standIn = null!;
    private BigQueryClient _client = null!;

    public async Task InitializeAsync()
    {
        _standIn = await BigQueryStandIn.StartAsync();
        _client = new BigQueryClient(new HttpClient(), TestData.ClientOptions(_standIn.Endpoint), tokens: null, ownsHttp: true);
    }

    public void Dispose() => _client.Dispose();

    public async Task DisposeAsync()
    {
        Assert.Empty(_standIn.ContractViolations);
        await _standIn.DisposeAsync();
    }

    private BigQueryCompaction Compaction() => new(_client, "proj", "ds", "transactions");

    private List<RecordedRequest> Queries => [.. _standIn.Requests.Where(r => r.MethodId == "bigquery.jobs.query")];

    [Fact]
    public async Task Merge_is_googlesql_with_a_named_DATE_parameter_filtered_to_the_one_partition()
    {
        _standIn.Tables["ds.transactions"] = Transactions();
        _standIn.AnswerQuery = Answers(new([(10, 7), (7, 7)]), () => Merged(deleted: 10, inserted: 7));

        var result = await Compaction().RunAsync(Day, dryRun: false, CancellationToken.None);

        Assert.Equal((10L, 7L, 3L, true, 17L), (result.RowsBefore, result.RowsAfter, result.DuplicatesRemoved, result.Merged, result.AffectedRows));
        Assert.Equal(["bigquery.tables.get", "bigquery.jobs.query", "bigquery.jobs.query", "bigquery.jobs.query"],
            _standIn.Requests.Select(r => r.MethodId));
        var merge = Queries[1].Json;
        Assert.Empty(DiscoveryDocument.Default.Validate(merge, "QueryRequest"));
        Assert.False(merge.GetProperty("useLegacySql").GetBoolean());
        Assert.Equal("NAMED", merge.GetProperty("parameterMode").GetString());
        var parameter = merge.GetProperty("queryParameters").EnumerateArray().Single();
        Assert.Equal(("date", "DATE", "2026-11-24"), (parameter.GetProperty("name").GetString(),
            parameter.GetProperty("parameterType").GetProperty("type").GetString(), parameter.GetProperty("parameterValue").GetProperty("value").GetString()));
        Assert.False(merge.TryGetProperty("dryRun", out _));
        Assert.True(Guid.TryParse(merge.GetProperty("requestId").GetString(), out _));

        var sql = merge.GetProperty("query").GetString()!;
        const string Filter = "event_timestamp >= TIMESTAMP(@date) AND event_timestamp < TIMESTAMP(DATE_ADD(@date, INTERVAL 1 DAY))";
        Assert.StartsWith("MERGE `proj.ds.transactions` AS target\nUSING (\n  SELECT * FROM `proj.ds.transactions`\n  WHERE " + Filter, sql, StringComparison.Ordinal);
        Assert.Contains("QUALIFY ROW_NUMBER() OVER (PARTITION BY transaction_id ORDER BY kafka_partition, kafka_offset, ingested_at) = 1", sql, StringComparison.Ordinal);
        Assert.Contains("\nON FALSE\n", sql, StringComparison.Ordinal);
        // The delete is bounded to the partition: without it, ON FALSE would delete every other day too.
        Assert.Contains("WHEN NOT MATCHED BY SOURCE AND target.event_timestamp >= TIMESTAMP(@date) AND target.event_timestamp < " +
            "TIMESTAMP(DATE_ADD(@date, INTERVAL 1 DAY)) THEN DELETE", sql, StringComparison.Ordinal);
        Assert.EndsWith("WHEN NOT MATCHED THEN INSERT ROW", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("2026", sql, StringComparison.Ordinal); // the date travels only as the parameter

        foreach (var count in new[] { Queries[0], Queries[2] })
        {
            Assert.Empty(DiscoveryDocument.Default.Validate(count.Json, "QueryRequest"));
            Assert.Equal("SELECT COUNT(*) AS row_count, COUNT(DISTINCT transaction_id) AS distinct_ids FROM `proj.ds.transactions` WHERE " + Filter,
                count.Json.GetProperty("query").GetString());
        }
    }

    [Fact]
    public async Task A_partition_with_unique_ids_is_not_rewritten()
    {
        _standIn.Tables["ds.transactions"] = Transactions();
        _standIn.AnswerQuery = Answers(new([(5, 5)]), () => throw new InvalidOperationException("no MERGE expected"));

        var result = await Compaction().RunAsync(Day, dryRun: false, CancellationToken.None);

        Assert.Equal((5L, 5L, 0L, false), (result.RowsBefore, result.RowsAfter, result.DuplicatesRemoved, result.Merged));
        Assert.Single(Queries);
    }

    [Fact]
    public async Task Dry_run_sends_one_dry_run_merge_and_reports_its_bytes()
    {
        _standIn.Tables["ds.transactions"] = Transactions();
        _standIn.AnswerQuery = Answers(new(), () => throw new InvalidOperationException("no MERGE expected"));

        var result = await Compaction().RunAsync(Day, dryRun: true, CancellationToken.None);

        Assert.Equal((true, 123_456_789L, (long?)null), (result.DryRun, result.BytesProcessed, result.RowsBefore));
        var query = Assert.Single(Queries).Json;
        Assert.Empty(DiscoveryDocument.Default.Validate(query, "QueryRequest"));
        Assert.True(query.GetProperty("dryRun").GetBoolean());
        Assert.StartsWith("MERGE `proj.ds.transactions`", query.GetProperty("query").GetString(), StringComparison.Ordinal);
        Assert.Equal("DATE", query.GetProperty("queryParameters")[0].GetProperty("parameterType").GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_day_that_may_still_be_in_the_streaming_buffer_is_refused_before_any_query()
    {
        // Oldest buffered row streamed 10 minutes after the day ended: it may belong to that day.
        _standIn.Tables["ds.transactions"] = Transactions(oldestBuffered: new DateTimeOffset(2026, 11, 25, 0, 10, 0, TimeSpan.Zero));

        var refused = await Assert.ThrowsAsync<MaintenanceRefusedException>(() => Compaction().RunAsync(Day, dryRun: false, CancellationToken.None));

        Assert.Contains("refusing to compact proj.ds.transactions partition 2026-11-24: the streaming buffer still holds rows streamed since 2026-11-25T00:10:00Z",
            refused.Message, StringComparison.Ordinal);
        Assert.Equal(["bigquery.tables.get"], _standIn.Requests.Select(r => r.MethodId));
    }

    [Fact]
    public async Task A_buffer_holding_only_rows_streamed_well_after_the_day_does_not_block_it()
    {
        _standIn.Tables["ds.transactions"] = Transactions(oldestBuffered: new DateTimeOffset(2026, 11, 25, 1, 30, 0, TimeSpan.Zero));
        _standIn.AnswerQuery = Answers(new([(4, 3), (3, 3)]), () => Merged(4, 3));

        var result = await Compaction().RunAsync(Day, dryRun: false, CancellationToken.None);

        Assert.Equal(1L, result.DuplicatesRemoved);
    }

    [Fact]
    public async Task BigQuery_rejecting_the_merge_for_buffered_rows_is_a_refusal_with_the_same_advice()
    {
        _standIn.Tables["ds.transactions"] = Transactions();
        _standIn.AnswerQuery = Answers(new([(4, 3)]), () => Error(400, "invalidQuery",
            "UPDATE or DELETE statement over table proj.ds.transactions would affect rows in the streaming buffer, which is not supported"));

        var refused = await Assert.ThrowsAsync<MaintenanceRefusedException>(() => Compaction().RunAsync(Day, dryRun: false, CancellationToken.None));

        Assert.Contains("refusing to compact proj.ds.transactions partition 2026-11-24: BigQuery says the MERGE would affect rows in the streaming buffer",
            refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_merge_affected_rows_come_from_dmlStats_not_numDmlAffectedRows()
    {
        // numDmlAffectedRows is documented for INSERT, UPDATE and DELETE only; a MERGE's counts are in dmlStats.
        _standIn.Tables["ds.transactions"] = Transactions();
        _standIn.AnswerQuery = Answers(new([(9, 6), (6, 6)]), () =>
        {
            var merged = Merged(deleted: 9, inserted: 6);
            merged.AsObject().Remove("numDmlAffectedRows");
            return merged;
        });

        var result = await Compaction().RunAsync(Day, dryRun: false, CancellationToken.None);

        Assert.Equal(15L, result.AffectedRows);
    }

    [Fact]
    public async Task A_finished_job_that_reports_errors_is_a_failure_not_a_success()
    {
        _standIn.Tables["ds.transactions"] = Transactions();
        _standIn.AnswerQuery = Answers(new([(6, 4), (4, 4)]), () => new System.Text.Json.Nodes.JsonObject
        {
            ["kind"] = "bigquery#queryResponse",
            ["jobComplete"] = false,
            ["jobReference"] = Job("job_merge"),
        });
        _standIn.AnswerGetQueryResults = _ => new System.Text.Json.Nodes.JsonObject
        {
            ["kind"] = "bigquery#getQueryResultsResponse",
            ["jobComplete"] = true,
            ["jobReference"] = Job("job_merge"),
            ["errors"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject
            {
                ["reason"] = "invalidQuery", ["message"] = "UPDATE or DELETE statement over table would affect rows in the streaming buffer",
            }),
        };

        var ex = await Assert.ThrowsAsync<MaintenanceRefusedException>(() => Compaction().RunAsync(Day, dryRun: false, CancellationToken.None));

        // Read as a success it would report a compaction that did not happen; BigQuery's own buffer check is a refusal.
        Assert.Contains("streaming buffer", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, _standIn.Requests.Count(r => r.MethodId == "bigquery.jobs.getQueryResults"));
    }

    [Fact]
    public async Task An_incomplete_merge_job_is_awaited_with_getQueryResults()
    {
        _standIn.Tables["ds.transactions"] = Transactions();
        _standIn.AnswerQuery = Answers(new([(6, 4), (4, 4)]), () => new System.Text.Json.Nodes.JsonObject
        {
            ["kind"] = "bigquery#queryResponse",
            ["jobComplete"] = false,
            ["jobReference"] = Job("job_merge"),
        });
        var polls = 0;
        _standIn.AnswerGetQueryResults = _ => ++polls < 2
            ? new System.Text.Json.Nodes.JsonObject { ["kind"] = "bigquery#getQueryResultsResponse", ["jobComplete"] = false, ["jobReference"] = Job("job_merge") }
            : new System.Text.Json.Nodes.JsonObject
            {
                ["kind"] = "bigquery#getQueryResultsResponse",
                ["jobComplete"] = true,
                ["jobReference"] = Job("job_merge"),
                ["numDmlAffectedRows"] = "10",
                ["totalBytesProcessed"] = "2048",
            };

        var result = await Compaction().RunAsync(Day, dryRun: false, CancellationToken.None);

        Assert.Equal((10L, 2048L, 2L), (result.AffectedRows, result.BytesProcessed, result.DuplicatesRemoved));
        var gets = _standIn.Requests.Where(r => r.MethodId == "bigquery.jobs.getQueryResults").ToList();
        Assert.Equal(2, gets.Count);
        Assert.All(gets, g => Assert.Equal("/bigquery/v2/projects/proj/queries/job_merge?timeoutMs=30000&location=EU", g.Path));
    }

    [Fact]
    public async Task The_stand_in_flags_query_parameters_the_method_does_not_declare()
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(_standIn.Endpoint, "bigquery/v2/projects/proj/queries/job_1?timeoutMs=5&maxRows=1"));

        Assert.Equal(["bigquery.jobs.getQueryResults: unknown query parameter 'maxRows'"], _standIn.ContractViolations);
        _standIn.ContractViolations.Clear();
    }

    [Fact]
    public async Task A_missing_table_is_a_refusal_naming_it()
    {
        var refused = await Assert.ThrowsAsync<MaintenanceRefusedException>(() => Compaction().RunAsync(Day, dryRun: true, CancellationToken.None));
        Assert.Equal("BigQuery table proj.ds.transactions not found.", refused.Message);
    }

    [Theory]
    [InlineData(null, null, true)]                       // no streaming buffer
    [InlineData("2026-11-25T00:15:00Z", "10", false)]    // exactly end of day + margin: refused
    [InlineData("2026-11-25T00:15:00.001Z", "10", true)]
    [InlineData("2026-11-24T18:00:00Z", "10", false)]    // streamed during the day
    [InlineData("", "0", true)]                          // buffer reported empty, no time
    [InlineData("", "25", false)]                        // rows, but no time: cannot tell
    public void Streaming_buffer_rule(string? oldest, string? rows, bool allowed)
    {
        var buffer = oldest is null ? null : new StreamingBuffer
        {
            EstimatedRows = rows,
            OldestEntryTime = oldest.Length == 0 ? null : DateTimeOffset.Parse(oldest, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        Assert.Equal(allowed, StreamingBufferRule.Refusal(buffer, Day, StreamingBufferRule.DefaultLateArrivalMargin) is null);
        Assert.Equal(allowed, StreamingBufferRule.Refusal(buffer, Day, StreamingBufferRule.DefaultLateArrivalMargin, WriteApi.InsertAll) is null);
        // Rows of the Storage Write API can be changed by DML at once: nothing is refused up front.
        Assert.Null(StreamingBufferRule.Refusal(buffer, Day, StreamingBufferRule.DefaultLateArrivalMargin, WriteApi.Storage));
    }

    [Fact]
    public void The_table_model_reads_the_streaming_buffer_of_a_tables_get_answer()
    {
        var json = Transactions(oldestBuffered: DateTimeOffset.FromUnixTimeMilliseconds(1_764_000_000_000)).ToJsonString();
        var table = JsonSerializer.Deserialize(json, BigQueryJsonContext.Default.TableResource)!;
        Assert.Equal(("120", "1764000000000"), (table.StreamingBuffer!.EstimatedRows, table.StreamingBuffer.OldestEntryTime));
        Assert.Empty(DiscoveryDocument.Default.Validate(JsonDocument.Parse(json).RootElement, "Table"));
    }
}
