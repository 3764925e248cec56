using System.Text.Json;

namespace Ecommerce.Pipeline.IntegrationTests;

/// <summary>
/// <c>pipeline query</c> as a script or DAG task calls it (docs/contract.md, "CLI"): hostile SQL exits 1 with one line
/// saying it is not allowed in query and why; nothing outside the warehouse is read (the canary's secret is never
/// printed) or written (the target does not exist afterwards). Ordinary analytics still work.
/// </summary>
[Collection(nameof(ProcessTests))]
[Trait("Category", "Integration")]
public sealed class QuerySandboxCliTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);
    private SandboxWarehouse _warehouse = null!;

    public async Task InitializeAsync() => _warehouse = await SandboxWarehouse.CreateAsync();

    public Task DisposeAsync()
    {
        _warehouse.Dispose();
        return Task.CompletedTask;
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> QueryAsync(string sql, string format = "table") =>
        PipelineProcess.RunAsync(["query", "--duckdb", _warehouse.Database, "--format", format, sql], Timeout);

    [Theory]
    [MemberData(nameof(SandboxWarehouse.HostileNames), MemberType = typeof(SandboxWarehouse))]
    public async Task Hostile_sql_exits_1_with_one_line_and_reaches_nothing_outside(string name)
    {
        var (sql, mustNotExist) = _warehouse.HostileCase(name);

        var (code, stdout, stderr) = await QueryAsync(sql);

        Assert.Equal(1, code);
        Assert.Empty(stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("pipeline: error: ", line, StringComparison.Ordinal);
        Assert.Contains("not allowed in `pipeline query`: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain(_warehouse.Secret, stdout + stderr, StringComparison.Ordinal);
        if (mustNotExist is not null)
        {
            Assert.False(Path.Exists(mustNotExist), $"{mustNotExist} was written");
        }

        Assert.Equal([_warehouse.CanaryCsv, _warehouse.CanaryParquet], Directory.GetFileSystemEntries(_warehouse.Outside).Order());
    }

    [Fact]
    public async Task Joins_windows_ctes_and_the_files_views_work_and_print_as_asked()
    {
        var (code, stdout, stderr) = await QueryAsync("""
            WITH per_product AS (SELECT product_id, currency, sum(price) AS revenue FROM transactions GROUP BY ALL)
            SELECT p.product_id, p.currency, p.revenue,
                   rank() OVER (PARTITION BY p.currency ORDER BY p.revenue DESC) AS revenue_rank, v.orders
            FROM per_product p JOIN orders_per_country v ON v.country_code = 'DE'
            ORDER BY p.currency, revenue_rank
            """, "json");

        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(
            ["p-a EUR 1", "p-b EUR 2", "p-c JPY 1", "p-a USD 1"],
            json.RootElement.EnumerateArray().Select(r =>
                $"{r.GetProperty("product_id").GetString()} {r.GetProperty("currency").GetString()} {r.GetProperty("revenue_rank").GetInt64()}"));
    }

    [Fact]
    public async Task Report_runs_sandboxed_and_ranks_revenue_within_each_currency()
    {
        var (code, stdout, stderr) = await PipelineProcess.RunAsync(["report", "--duckdb", _warehouse.Database], Timeout);

        Assert.True(code == 0, stderr);
        Assert.Contains("== Top 10 products by revenue, ranked within each currency (amounts are not converted) ==", stdout,
            StringComparison.Ordinal);
    }
}
