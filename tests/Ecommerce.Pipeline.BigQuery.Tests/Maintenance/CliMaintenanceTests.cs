using static Ecommerce.Pipeline.BigQuery.Tests.Maintenance.MaintenanceFixtures;

namespace Ecommerce.Pipeline.BigQuery.Tests.Maintenance;

/// <summary><c>pipeline compact</c> and <c>pipeline retention</c> with <c>--sink bigquery</c>, run as the built CLI against the stand-in.</summary>
[Trait("Category", "Integration")]
public sealed class CliMaintenanceTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private BigQueryStandIn _standIn = null!;

    public async Task InitializeAsync() => _standIn = await BigQueryStandIn.StartAsync();

    public async Task DisposeAsync()
    {
        Assert.Empty(_standIn.ContractViolations);
        await _standIn.DisposeAsync();
    }

    private string[] BigQuery(params string[] args) =>
        [.. args, "--sink", "bigquery", "--bigquery-project", "proj", "--bigquery-dataset", "ds", "--bigquery-endpoint", _standIn.Endpoint.ToString()];

    [Fact]
    public async Task Compact_runs_the_merge_and_reports_what_it_removed()
    {
        _standIn.Tables["ds.transactions"] = Transactions();
        _standIn.AnswerQuery = Answers(new([(10, 7), (7, 7)]), () => Merged(deleted: 10, inserted: 7));

        var run = await Cli.RunAsync(Timeout, BigQuery("compact", "--date", "2026-11-24"));

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("compact: date=2026-11-24 table=proj.ds.transactions rows_before=10 rows_after=7 duplicates_removed=3 " +
            "dml_affected_rows=17 bytes_processed=5120000", run.Output, StringComparison.Ordinal);
        Assert.Single(_standIn.Requests, r => r.MethodId == "bigquery.jobs.query" && r.Text.Contains("MERGE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Compact_dry_run_reports_the_bytes_and_runs_nothing()
    {
        _standIn.Tables["ds.transactions"] = Transactions(oldestBuffered: DateTimeOffset.UtcNow.AddMinutes(-20));
        _standIn.AnswerQuery = Answers(new(), () => throw new InvalidOperationException("no MERGE expected"));

        var run = await Cli.RunAsync(Timeout, BigQuery("compact", "--date", DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), "--dry-run", "--bigquery-write-api", "insertall"));

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("bytes_processed=123456789 dry_run=true", run.Output, StringComparison.Ordinal);
        Assert.Contains("compact: a real run would be refused now: the streaming buffer still holds rows", run.Output, StringComparison.Ordinal);
        Assert.All(_standIn.Requests.Where(r => r.MethodId == "bigquery.jobs.query"), r => Assert.Contains("\"dryRun\":true", r.Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Compact_refuses_a_day_still_in_the_streaming_buffer_with_exit_1()
    {
        _standIn.Tables["ds.transactions"] = Transactions(oldestBuffered: new DateTimeOffset(2026, 11, 24, 23, 0, 0, TimeSpan.Zero));

        var run = await Cli.RunAsync(Timeout, BigQuery("compact", "--date", "2026-11-24", "--bigquery-write-api", "insertall"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("pipeline: error: refusing to compact proj.ds.transactions partition 2026-11-24: the streaming buffer still holds rows",
            run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(_standIn.Requests, r => r.MethodId == "bigquery.jobs.query");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("storage")]
    public async Task Compact_with_the_storage_write_api_merges_a_day_whose_rows_were_just_written(string? writeApi)
    {
        _standIn.Tables["ds.transactions"] = Transactions(oldestBuffered: new DateTimeOffset(2026, 11, 24, 23, 0, 0, TimeSpan.Zero));
        _standIn.AnswerQuery = Answers(new([(10, 7), (7, 7)]), () => Merged(deleted: 10, inserted: 7));
        string[] args = writeApi is null ? ["compact", "--date", "2026-11-24"] : ["compact", "--date", "2026-11-24", "--bigquery-write-api", writeApi];

        var run = await Cli.RunAsync(Timeout, BigQuery(args));

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("rows_before=10 rows_after=7 duplicates_removed=3", run.Output, StringComparison.Ordinal);
        Assert.Single(_standIn.Requests, r => r.MethodId == "bigquery.jobs.query" && r.Text.Contains("MERGE", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("compact", "--date", "2026-02-30", "pipeline: --date: '2026-02-30' is not a date like 2026-11-24.")]
    [InlineData("compact", "--date", "{{ ds }}", "pipeline: --date: '{{ ds }}' is not a date like 2026-11-24.")]
    [InlineData("retention", "--days", "seven", "pipeline: --days: 'seven' is not a whole number.")]
    [InlineData("retention", "--days", "0", "pipeline: --days: '0' is not a positive number of days.")]
    public async Task Bad_values_are_usage_errors_with_one_line(string verb, string option, string value, string message)
    {
        var run = await Cli.RunAsync(Timeout, BigQuery(verb, option, value, "--dry-run"));

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(message, run.Output.Trim());
        Assert.Empty(_standIn.Requests);
    }

    [Fact]
    public async Task Retention_exits_1_on_a_difference_then_apply_sets_it_and_a_check_passes()
    {
        _standIn.Tables["ds.transactions"] = Transactions();
        _standIn.Tables["ds.dead_letters"] = DeadLetters(expirationMs: "2592000000");

        var check = await Cli.RunAsync(Timeout, BigQuery("retention"));
        Assert.Equal(1, check.ExitCode);
        Assert.Contains("retention: table=proj.ds.transactions partition_expiration_ms=604800000 expected_ms=604800000 days=7 status=ok", check.Output, StringComparison.Ordinal);
        Assert.Contains("retention: table=proj.ds.dead_letters partition_expiration_ms=2592000000 expected_ms=604800000 days=7 status=differs", check.Output, StringComparison.Ordinal);
        Assert.Contains("pipeline: error: partition expiration differs from 7 days (604800000 ms) on proj.ds.dead_letters (2592000000 ms); run `pipeline retention --apply`", check.Output, StringComparison.Ordinal);

        var dry = await Cli.RunAsync(Timeout, BigQuery("retention", "--apply", "--dry-run"));
        Assert.True(dry.ExitCode == 0, dry.Output);
        Assert.Contains("status=differs dry_run=true", dry.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(_standIn.Requests, r => r.MethodId == "bigquery.tables.patch");

        var apply = await Cli.RunAsync(Timeout, BigQuery("retention", "--days", "7", "--apply"));
        Assert.True(apply.ExitCode == 0, apply.Output);
        Assert.Contains("retention: table=proj.ds.dead_letters partition_expiration_ms=2592000000 expected_ms=604800000 days=7 status=updated", apply.Output, StringComparison.Ordinal);
        Assert.Equal("""{"timePartitioning":{"type":"DAY","field":"failed_at","expirationMs":"604800000"}}""",
            Assert.Single(_standIn.Requests, r => r.MethodId == "bigquery.tables.patch").Text);

        var after = await Cli.RunAsync(Timeout, BigQuery("retention"));
        Assert.True(after.ExitCode == 0, after.Output);
        Assert.Equal(2, after.Output.Split('\n').Count(l => l.EndsWith("status=ok", StringComparison.Ordinal)));
    }
}
