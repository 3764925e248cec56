using System.Text.Json;
using Ecommerce.Pipeline.IntegrationTests.Support;

namespace Ecommerce.Pipeline.IntegrationTests;

/// <summary>docs/contract.md, "CLI": usage errors exit 2 with one line on stderr, runtime failures exit 1 with a clear message.</summary>
[Collection(nameof(ProcessTests))]
[Trait("Category", "Integration")]
public sealed class CliContractTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("process")]
    [InlineData("process --bootstrap-servers 127.0.0.1:9 --until-idle 5x")]
    [InlineData("process --bootstrap-servers 127.0.0.1:9 --sink parquet")]
    [InlineData("produce --bootstrap-servers 127.0.0.1:9 --count 5 --duration 5s")]
    [InlineData("produce --bootstrap-servers 127.0.0.1:9 --bad-ratio 2")]
    [InlineData("broker --partitions 0")]
    [InlineData("query --format xml \"SELECT 1\"")]
    [InlineData("dev --duration forever")]
    [InlineData("process --bootstrap-servers 127.0.0.1:9 --batch-size x")]
    [InlineData("process --bootstrap-servers 127.0.0.1:9 --batch-size 0")]
    [InlineData("bench --messages many")]
    [InlineData("bench --messages 1000")]
    [InlineData("bench --batch-records 0")]
    [InlineData("bench --batch-records x")]
    [InlineData("process --bootstrap-servers \"\"")]
    [InlineData("process --bootstrap-servers \"  \"")]
    [InlineData("process --bootstrap-servers localhost")]
    [InlineData("process --bootstrap-servers 127.0.0.1:0")]
    [InlineData("process --bootstrap-servers 127.0.0.1:9 --topic \"\"")]
    [InlineData("process --bootstrap-servers 127.0.0.1:9 --group \" \"")]
    [InlineData("produce --bootstrap-servers \"\" --count 1")]
    [InlineData("produce --bootstrap-servers a:1,,b:2 --count 1")]
    [InlineData("backfill --bootstrap-servers \"\" --from 2026-01-01T00:00:00Z --to 2026-01-02T00:00:00Z")]
    [InlineData("backfill --bootstrap-servers kafka --from 2026-01-01T00:00:00Z --to 2026-01-02T00:00:00Z")]
    [InlineData("dev --duckdb \"\"")]
    [InlineData("bench --bigquery-project \" \"")]
    [InlineData("compact --date 2026-01-01 --duckdb \"\"")]
    [InlineData("retention --duckdb \" \"")]
    [InlineData("report --duckdb \"\"")]
    [InlineData("")]
    [InlineData("--nope")]
    [InlineData("compact")]
    [InlineData("query --format")]
    [InlineData("produce --bootstrap-servers 127.0.0.1:9 --count x --duration 5s")]
    [InlineData("broker --chaos \"10s:down 1;20s:explode 1\"")]
    [InlineData("broker --brokers 1 --chaos \"1s:down 2\"")]
    [InlineData("dev --chaos random:seven")]
    [InlineData("process --bootstrap-servers 127.0.0.1:9 --bigquery-write-api streaming")]
    [InlineData("process --bootstrap-servers 127.0.0.1:9 --bigquery-delivery once")]
    [InlineData("process --bootstrap-servers 127.0.0.1:9 --bigquery-storage-endpoint grpc://x:1")]
    [InlineData("process --bootstrap-servers 127.0.0.1:9 --sink bigquery --bigquery-project p --bigquery-dataset d --bigquery-endpoint http://127.0.0.1:9")]
    [InlineData("backfill --bootstrap-servers 127.0.0.1:9 --from 2026-01-01T00:00:00Z --to 2026-01-02T00:00:00Z --bigquery-delivery twice")]
    [InlineData("bench --bigquery-write-api rest")]
    [InlineData("compact --date 2026-01-01 --bigquery-write-api rest")]
    public async Task Usage_errors_exit_2_with_one_line_on_stderr(string args)
    {
        var (code, stdout, stderr) = await PipelineProcess.RunAsync(Split(args), Timeout);
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("process")]
    [InlineData("produce")]
    public async Task A_broker_list_from_the_environment_that_is_not_host_port_exits_2_naming_the_setting(string verb)
    {
        var (code, stdout, stderr) = await PipelineProcess.RunAsync([verb], Timeout,
            environment: new Dictionary<string, string> { ["KafkaBrokerList"] = "kafka.example" });
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains("HOST:PORT", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nosuchverb", "pipeline: unknown verb 'nosuchverb'; the verbs are broker, produce, process, dev, query, report,")]
    [InlineData("query --nope \"SELECT 1\"", "pipeline: unknown option '--nope' for `pipeline query`")]
    [InlineData("query", "pipeline: `pipeline query` needs its SQL argument")]
    [InlineData("produce --bootstrap-servers 127.0.0.1:9 --count many", "pipeline: --count: 'many' is not a whole number.")]
    [InlineData("process --bootstrap-servers 127.0.0.1:9 --metrics-port x", "pipeline: --metrics-port: 'x' is not a whole number.")]
    [InlineData("query \"  \"", "pipeline: query: the SQL is empty")]
    [InlineData("process --bootstrap-servers 127.0.0.1:9 --bigquery-delivery once", "pipeline: --bigquery-delivery must be exactly-once or at-least-once.")]
    [InlineData("process --bootstrap-servers 127.0.0.1:9 --sink bigquery --bigquery-project p --bigquery-dataset d --bigquery-endpoint http://127.0.0.1:9",
        "pipeline: --bigquery-endpoint is set but --bigquery-storage-endpoint is not")]
    public async Task Usage_errors_name_what_is_wrong(string args, string expected)
    {
        var (code, stdout, stderr) = await PipelineProcess.RunAsync(Split(args), Timeout);
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.StartsWith(expected, Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_broker_exits_1_with_a_clear_message()
    {
        using var dir = new TempDir();
        var (code, _, stderr) = await PipelineProcess.RunAsync(
            ["process", "--bootstrap-servers", "127.0.0.1:1", "--duckdb", dir.File("w.duckdb"), "--metrics-port", "0"], Timeout);
        Assert.Equal(1, code);
        Assert.Contains("cannot reach Kafka at 127.0.0.1:1", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_warehouse_or_bad_sql_exits_1()
    {
        using var dir = new TempDir();
        var missing = await PipelineProcess.RunAsync(["query", "--duckdb", dir.File("none.duckdb"), "SELECT 1"], Timeout);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("No warehouse at", missing.Stderr, StringComparison.Ordinal);
        Assert.Contains("No warehouse at", (await PipelineProcess.RunAsync(["report", "--duckdb", dir.File("none.duckdb")], Timeout)).Stderr,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Produce_publishes_keyed_synthetic_transactions_and_prints_a_summary()
    {
        await using var broker = await Broker.StartAsync();
        var (code, stdout, stderr) = await PipelineProcess.RunAsync(
            ["produce", "--bootstrap-servers", broker.BootstrapServers, "--count", "2000", "--bad-ratio", "0.1", "--seed", "42"], Timeout);
        Assert.True(code == 0, stderr);
        Assert.Contains("produced: sent=2000 acknowledged=2000 failed=0 bad=", stdout, StringComparison.Ordinal);
        Assert.Contains("seed=42", stdout, StringComparison.Ordinal);
        Assert.Contains("bad timestamp_too_old:", stdout, StringComparison.Ordinal);
        var messages = KafkaTestKit.ConsumeAll(broker.BootstrapServers, "transactions_stream");
        Assert.Equal(2000, messages.Count);
        Assert.All(messages, m => Assert.False(string.IsNullOrEmpty(m.Key)));
    }

    [Fact]
    public async Task Dev_runs_everything_and_ends_with_a_report()
    {
        using var dir = new TempDir();
        var db = dir.File("dev.duckdb");
        // Security settings meant for a real cluster (as in a pod's environment) must not reach the embedded broker's
        // clients: it speaks plaintext only.
        var realClusterSecurity = new Dictionary<string, string>
        {
            ["KafkaSaslMechanism"] = "scram_sha512", ["KafkaSaslUsername"] = "u", ["KafkaSaslPassword"] = "p", ["KafkaTls"] = "enable",
        };
        var (code, stdout, stderr) = await PipelineProcess.RunAsync(
            ["dev", "--duration", "4s", "--rate", "500", "--duckdb", db, "--metrics-port", "0"], Timeout, environment: realClusterSecurity);
        Assert.True(code == 0, stderr);
        Assert.Contains("== Revenue by country, ranked within each currency ==", stdout, StringComparison.Ordinal);
        Assert.Contains("== Dead letters by reason ==", stdout, StringComparison.Ordinal);
        var charts = Path.ChangeExtension(db, ".run.html");
        Assert.Contains($"dev: charts of this run: {charts}", stdout, StringComparison.Ordinal);
        Assert.Contains("<html", File.ReadAllText(charts), StringComparison.OrdinalIgnoreCase);
        var stored = await Warehouse.ScalarAsync(db, "SELECT count(*) FROM transactions");
        Assert.InRange(stored, 1_000, 2_100);

        var report = await PipelineProcess.RunAsync(["report", "--duckdb", db], Timeout);
        Assert.Equal(0, report.ExitCode);
        Assert.Contains("== Payment mix ==", report.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_writes_the_json_of_the_contract()
    {
        using var dir = new TempDir();
        var json = dir.File("bench.json");
        var (code, stdout, stderr) = await PipelineProcess.RunAsync(
            ["bench", "--messages", "20000", "--latency-rates", "833", "--latency-duration", "2s", "--json", json], TimeSpan.FromMinutes(4));
        Assert.True(code == 0, stderr);
        Assert.Contains("| (b) pipeline", stdout, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var root = doc.RootElement;
        Assert.True(root.GetProperty("raw_consume_per_sec").GetDouble() > 0);
        Assert.True(root.GetProperty("pipeline_per_sec").GetDouble() > 0);
        Assert.True(root.GetProperty("ratio").GetDouble() > 0);
        var latency = root.GetProperty("latency_ms").GetProperty("833");
        Assert.True(latency.GetProperty("p99").GetDouble() >= latency.GetProperty("p50").GetDouble());
        Assert.True(root.GetProperty("peak_rss_mb").GetDouble() > 0);
    }

    [Fact]
    public async Task Bench_scale_drives_the_duckdb_sink_alone_and_times_the_reopen()
    {
        using var dir = new TempDir();
        var json = dir.File("scale.json");
        var (code, stdout, stderr) = await PipelineProcess.RunAsync(["bench", "--scale", "200000", "--json", json], TimeSpan.FromMinutes(4));
        Assert.True(code == 0, stderr);
        Assert.Contains("| reopen (open until ready) |", stdout, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var root = doc.RootElement;
        Assert.Equal(200_000, root.GetProperty("rows").GetInt64());
        // 1/20, 1/4, 1/2 and all of N; the replays of early batches (every 100th) came back as duplicates only, or the
        // command would have failed.
        Assert.Equal([10_000L, 50_000L, 100_000L, 200_000L],
            root.GetProperty("checkpoints").EnumerateArray().Select(c => c.GetProperty("rows").GetInt64()));
        Assert.True(root.GetProperty("checkpoints")[3].GetProperty("replayed_batch_ms").GetDouble() > 0);
        // Each checkpoint's batches are read against reference batches timed in the same seconds.
        Assert.All(root.GetProperty("checkpoints").EnumerateArray(), c =>
        {
            Assert.Equal(c.GetProperty("batch").GetProperty("batches").GetInt32(), c.GetProperty("reference").GetProperty("batches").GetInt32());
            Assert.True(c.GetProperty("growth_ratio").GetDouble() > 0);
            Assert.True(c.GetProperty("live_managed_mb").GetDouble() > 0);
        });
        Assert.Equal(20, root.GetProperty("empty_table").GetProperty("batches").GetInt32());
        Assert.True(root.GetProperty("reopen_ms").GetDouble() > 0);
        Assert.True(root.GetProperty("first_batch_after_reopen_ms").GetDouble() > 0);
    }

    [Fact]
    public async Task Bench_scale_below_its_minimum_is_a_usage_error()
    {
        var (code, _, stderr) = await PipelineProcess.RunAsync(["bench", "--scale", "1000"], Timeout);
        Assert.Equal(2, code);
        Assert.Contains("--scale must be at least 100,000", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_messages_below_four_batches_of_batch_records_is_a_usage_error()
    {
        var (code, stdout, stderr) = await PipelineProcess.RunAsync(["bench", "--messages", "79999", "--batch-records", "20000"], Timeout);
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains("--messages must be at least 80,000", stderr, StringComparison.Ordinal);
    }

    private static string[] Split(string args) =>
        [.. System.Text.RegularExpressions.Regex.Matches(args, "\"[^\"]*\"|\\S+").Select(m => m.Value.Trim('"'))];
}
