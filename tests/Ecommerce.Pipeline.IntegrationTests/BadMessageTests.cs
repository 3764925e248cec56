using System.Text.Json;
using Ecommerce.Pipeline.IntegrationTests.Support;

namespace Ecommerce.Pipeline.IntegrationTests;

/// <summary>
/// One bad message never stalls the pipeline: an independent client (kcat) writes a lone-surrogate message between
/// valid ones; <c>pipeline process --until-idle</c> stores the valid ones, dead-letters the bad one, commits, exits 0.
/// An interrupted <c>--until-idle</c> run is not reported as success.
/// </summary>
[Collection(nameof(ProcessTests))]
[Trait("Category", "Integration")]
public sealed class BadMessageTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_lone_surrogate_between_valid_messages_is_dead_lettered_and_the_rest_stored_and_committed()
    {
        using var dir = new TempDir();
        await using var broker = await Broker.StartAsync();
        var at = DateTimeOffset.UtcNow.AddMinutes(-1);
        // As an adversarial producer would send it: valid JSON text, but "\ud800" is no Unicode character.
        var bad = TransactionJson.Valid("bad-1", at).Replace("\"user-1\"", "\"\\ud800\"", StringComparison.Ordinal);
        // Escaped NUL inside a text field: a clean row that keeps it.
        var withNul = TransactionJson.Valid("ok-3", at, payment: "vi\0sa");
        Assert.Contains("\\u0000", withNul, StringComparison.Ordinal);
        var lines = new[] { "k1:" + TransactionJson.Valid("ok-1", at), "k2:" + bad, "k3:" + TransactionJson.Valid("ok-2", at), "k4:" + withNul };
        var file = dir.File("input.txt");
        await File.WriteAllLinesAsync(file, lines);

        var (code, _, stderr) = KafkaTestKit.Run(Tools.Kcat,
            ["-P", "-b", broker.BootstrapServers, "-t", "transactions_stream", "-K:", "-l", file], timeout: TimeSpan.FromSeconds(60));
        Assert.True(code == 0, $"kcat failed: {stderr}");

        var db = dir.File("warehouse.duckdb");
        var process = await PipelineProcess.RunAsync(
            ["process", "--bootstrap-servers", broker.BootstrapServers, "--until-idle", "3s", "--duckdb", db, "--metrics-port", "0"], Timeout);
        Assert.True(process.ExitCode == 0, $"process failed: {process.Stderr}");
        Assert.Contains("consumed=4 stored=3 dead_letters=1", process.Stdout, StringComparison.Ordinal);
        Assert.Contains("stop=idle", process.Stdout, StringComparison.Ordinal);

        using (var progress = new GroupProgress(broker.BootstrapServers, "ecommerce-pipeline"))
        {
            Assert.Equal(4, progress.Committed());
            Assert.Equal(0, progress.Lag());
        }

        var rows = await QueryJsonAsync(db, "SELECT transaction_id, payment_method_raw FROM transactions ORDER BY transaction_id");
        Assert.Equal(["ok-1", "ok-2", "ok-3"], rows.Select(r => r.GetProperty("transaction_id").GetString()));
        Assert.Equal("vi\0sa", rows[2].GetProperty("payment_method_raw").GetString());

        var dead = Assert.Single(await QueryJsonAsync(db, "SELECT reason, detail, payload FROM dead_letters"));
        Assert.Equal("invalid_encoding", dead.GetProperty("reason").GetString());
        Assert.StartsWith("lone surrogate escape \\ud800 at byte ", dead.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(bad, dead.GetProperty("payload").GetString());

        var dlq = Assert.Single(KafkaTestKit.ConsumeAll(broker.BootstrapServers, "transactions_dlq"));
        using var record = JsonDocument.Parse(dlq.Value!);
        Assert.Equal(bad, record.RootElement.GetProperty("payload").GetString());
    }

    [Fact]
    public async Task An_until_idle_run_stopped_before_it_went_idle_exits_1_with_one_line()
    {
        using var dir = new TempDir();
        await using var broker = await Broker.StartAsync();
        await using var processor = PipelineProcess.Start(
            ["process", "--bootstrap-servers", broker.BootstrapServers, "--until-idle", "10m", "--duckdb", dir.File("w.duckdb"), "--metrics-port", "0"]);
        await processor.WaitForLineAsync(l => l.Contains("Partitions assigned", StringComparison.Ordinal), Timeout, stderr: true);

        processor.Terminate();

        Assert.Equal(1, await processor.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("stop=cancelled", processor.Stdout, StringComparison.Ordinal);
        var line = Assert.Single(processor.StderrLines, l => l.StartsWith("pipeline:", StringComparison.Ordinal));
        Assert.Contains("stopped before the topic went idle", line, StringComparison.Ordinal);
    }

    private static async Task<List<JsonElement>> QueryJsonAsync(string db, string sql)
    {
        var (code, stdout, stderr) = await PipelineProcess.RunAsync(["query", "--duckdb", db, "--format", "json", sql], Timeout);
        Assert.True(code == 0, $"query failed ({code}): {stderr}");
        using var doc = JsonDocument.Parse(stdout);
        return [.. doc.RootElement.EnumerateArray().Select(e => e.Clone())];
    }
}
