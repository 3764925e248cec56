using System.Globalization;
using System.Text.RegularExpressions;
using Ecommerce.Pipeline.IntegrationTests.Support;
using Xunit.Abstractions;

namespace Ecommerce.Pipeline.IntegrationTests;

/// <summary>
/// At-least-once delivery with an idempotent sink: whatever happens to the processor, every valid transaction ends
/// up stored exactly once and every invalid message dead-lettered exactly once.
/// </summary>
[Collection(nameof(ProcessTests))]
[Trait("Category", "Integration")]
public sealed partial class CrashSafetyTests(ITestOutputHelper output)
{
    private static string[] ProcessArgs(Broker broker, string db, string? untilIdle = null) =>
    [
        "process", "--bootstrap-servers", broker.BootstrapServers, "--duckdb", db, "--metrics-port", "0",
        .. untilIdle is null ? Array.Empty<string>() : ["--until-idle", untilIdle],
    ];

    [Fact]
    public async Task Nothing_is_lost_or_stored_twice_when_the_processor_is_killed_three_times()
    {
        using var dir = new TempDir();
        // 12 partitions: 100,000 messages stay within the embedded broker's retention.
        await using var broker = await Broker.StartAsync(partitions: 12);
        var data = Dataset.Create(100_000, 0.05, "kill");
        var produce = await PipelineProcess.RunAsync(
            ["produce", "--bootstrap-servers", broker.BootstrapServers, "--file", data.WriteJsonLines(dir.File("in.jsonl"))],
            TimeSpan.FromMinutes(3));
        Assert.True(produce.ExitCode == 0, produce.Stderr);

        var db = dir.File("warehouse.duckdb");
        using var progress = new GroupProgress(broker.BootstrapServers, "ecommerce-pipeline");
        foreach (var fraction in new[] { 0.2, 0.5, 0.8 })
        {
            await using var processor = PipelineProcess.Start(ProcessArgs(broker, db));
            await progress.WaitForCommittedAsync((long)(fraction * data.Messages.Count), processor, TimeSpan.FromMinutes(3));
            processor.Kill(); // SIGKILL: no batch finished, nothing committed on the way out
            await processor.WaitForExitAsync(TimeSpan.FromSeconds(30));
            output.WriteLine($"killed at {progress.Committed():N0} committed");
        }

        // The member killed last still owns its partitions until its session times out (10 s, KafkaClientConfig);
        // only then does the group hand them to this run. An idle window shorter than that could end the run with
        // those partitions unread, so the window is longer than the session timeout.
        var last = await PipelineProcess.RunAsync(ProcessArgs(broker, db, "15s"), TimeSpan.FromMinutes(3));
        Assert.True(last.ExitCode == 0, last.Stderr);
        output.WriteLine(last.Stdout);

        Assert.Equal(data.ValidIds.Count, await Warehouse.ScalarAsync(db, "SELECT count(*) FROM transactions"));
        var stored = await Warehouse.IdsAsync(db, "SELECT transaction_id FROM transactions");
        Assert.True(stored.SetEquals(data.ValidIds), "stored ids differ from the valid ids");

        Assert.Equal(data.InvalidCount, await Warehouse.ScalarAsync(db, "SELECT count(*) FROM dead_letters"));
        Assert.Equal(data.InvalidCount, await Warehouse.ScalarAsync(db,
            "SELECT count(*) FROM (SELECT DISTINCT kafka_topic, kafka_partition, kafka_offset FROM dead_letters)"));
        var deadIds = await Warehouse.IdsAsync(db, "SELECT transaction_id FROM dead_letters WHERE transaction_id IS NOT NULL");
        Assert.True(deadIds.SetEquals(data.InvalidIds.Keys), "dead-lettered ids differ from the invalid ids");
        Assert.Equal(0, progress.Lag());
    }

    [Fact]
    public async Task Sigterm_commits_what_was_stored_so_a_restart_rereads_nothing()
    {
        using var dir = new TempDir();
        await using var broker = await Broker.StartAsync();
        var data = Dataset.Create(40_000, 0.05, "term");
        var produce = await PipelineProcess.RunAsync(
            ["produce", "--bootstrap-servers", broker.BootstrapServers, "--file", data.WriteJsonLines(dir.File("in.jsonl"))],
            TimeSpan.FromMinutes(3));
        Assert.True(produce.ExitCode == 0, produce.Stderr);

        var db = dir.File("warehouse.duckdb");
        using var progress = new GroupProgress(broker.BootstrapServers, "ecommerce-pipeline");
        await using (var processor = PipelineProcess.Start(ProcessArgs(broker, db)))
        {
            await progress.WaitForCommittedAsync(10_000, processor, TimeSpan.FromMinutes(3));
            processor.Terminate();
            Assert.Equal(0, await processor.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("stop=cancelled", processor.Stdout, StringComparison.Ordinal);
        }

        // Everything stored was committed, and nothing was committed that is not stored.
        var committed = progress.Committed();
        var storedMessages = await Warehouse.ScalarAsync(db,
            "SELECT (SELECT count(*) FROM transactions) + (SELECT count(*) FROM dead_letters)");
        Assert.Equal(committed, storedMessages);

        var restart = await PipelineProcess.RunAsync(ProcessArgs(broker, db, "3s"), TimeSpan.FromMinutes(3));
        Assert.True(restart.ExitCode == 0, restart.Stderr);
        var redeliveries = long.Parse(DuplicatesPattern().Match(restart.Stdout).Groups[1].Value, CultureInfo.InvariantCulture);
        output.WriteLine($"committed at SIGTERM: {committed:N0}; re-deliveries after restart: {redeliveries}");
        Assert.Equal(0, redeliveries);
        Assert.Equal(data.ValidIds.Count, await Warehouse.ScalarAsync(db, "SELECT count(*) FROM transactions"));
        Assert.Equal(data.InvalidCount, await Warehouse.ScalarAsync(db, "SELECT count(*) FROM dead_letters"));
    }

    [GeneratedRegex(@"duplicates=(\d+)")]
    private static partial Regex DuplicatesPattern();
}
