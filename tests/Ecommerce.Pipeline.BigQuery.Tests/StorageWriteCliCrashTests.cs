using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>
/// <c>pipeline process --sink bigquery</c> through the Storage Write API with exactly-once delivery (the defaults),
/// against both stand-ins: whatever happens to the processors, every message of the topic is in the tables exactly
/// once, as a transaction or as a dead letter, counted by Kafka position and by transaction id.
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class StorageWriteCliCrashTests(ITestOutputHelper output) : StorageWriteStandInPair
{
    private const int Messages = 50_000;
    [Fact]
    public async Task Killed_three_times_mid_stream_every_message_is_stored_exactly_once()
    {
        var (broker, servers) = await StartBrokerAsync();
        await using var _ = broker;
        var bad = await ProduceAsync(servers);

        foreach (var fraction in new[] { 0.2, 0.5, 0.8 })
        {
            await using var processor = Cli.Start(ProcessArgs(servers));
            await Cli.WaitUntilAsync(() => Stored() >= fraction * Messages, processor, $"{fraction:P0} stored");
            processor.Kill(); // SIGKILL: whatever was in flight is neither finished nor committed
            await processor.WaitForExitAsync(TimeSpan.FromSeconds(30));
            output.WriteLine($"killed at {Stored():N0} stored, {Write.AppendRequests:N0} appends");
        }

        // The member killed last owns its partitions until its session times out (10 s): idle longer than that.
        var last = await Cli.RunAsync(TimeSpan.FromMinutes(2), [.. ProcessArgs(servers), "--until-idle", "15s"]);
        Assert.True(last.ExitCode == 0, last.Output);
        output.WriteLine(last.Output.Split('\n')[0]);

        AssertEveryMessageOnce(bad);
    }

    [Fact]
    public async Task Two_processors_in_one_group_one_stopped_mid_stream_store_every_message_exactly_once()
    {
        var (broker, servers) = await StartBrokerAsync();
        await using var _ = broker;
        var bad = await ProduceAsync(servers);

        await using var first = Cli.Start(ProcessArgs(servers));
        await using var second = Cli.Start(ProcessArgs(servers));
        await Cli.WaitUntilAsync(() => Stored() >= 0.4 * Messages, first, "40% stored by the two");
        // A graceful stop: its partitions are revoked (stored batches committed, streams finalized) and move to the other.
        second.Terminate();
        Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        await Cli.WaitUntilAsync(() => Stored() >= Messages, first, "everything stored by the one left");
        first.Terminate();
        Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        output.WriteLine(second.Stdout);
        output.WriteLine(first.Stdout);

        AssertEveryMessageOnce(bad);
        Assert.True(Write.CreateWriteStreamCalls > 0);
    }

    private string[] ProcessArgs(string servers) =>
    [
        "process", "--bootstrap-servers", servers, "--sink", "bigquery", "--bigquery-project", "proj", "--bigquery-dataset", "ds",
        "--bigquery-endpoint", Rest.Endpoint.ToString(), "--bigquery-storage-endpoint", Write.Endpoint.ToString(),
        "--metrics-port", "0", "--batch-size", "1000",
    ];

    private static async Task<(PipelineProcess Broker, string Servers)> StartBrokerAsync()
    {
        var broker = Cli.Start("broker", "--partitions", "6", "--brokers", "1");
        var first = await broker.WaitForLineAsync(l => l.StartsWith("bootstrap.servers=", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        return (broker, first["bootstrap.servers=".Length..]);
    }

    /// <summary>50,000 messages, 5% bad; returns how many are bad.</summary>
    private static async Task<int> ProduceAsync(string servers)
    {
        var produced = await Cli.RunAsync(TimeSpan.FromSeconds(90), "produce", "--bootstrap-servers", servers,
            "--count", Messages.ToString(CultureInfo.InvariantCulture), "--bad-ratio", "0.05", "--seed", "15");
        Assert.True(produced.ExitCode == 0, produced.Output);
        return int.Parse(BadCount().Match(produced.Output).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private int Stored() => Rest.LiveRows("ds.transactions").Count + Rest.LiveRows("ds.dead_letters").Count;

    private void AssertEveryMessageOnce(int bad)
    {
        var rows = Rest.LiveRows("ds.transactions");
        var deadLetters = Rest.LiveRows("ds.dead_letters");
        var rowPositions = Rest.KafkaPositions("ds.transactions");
        var deadPositions = Rest.KafkaPositions("ds.dead_letters");

        Assert.Equal(rowPositions.Count, rowPositions.Distinct().Count());
        Assert.Equal(rows.Count, StoredRows.DistinctIds(rows));
        Assert.Equal(deadPositions.Count, deadPositions.Distinct().Count());
        // Every position of the topic once, in one table or the other.
        Assert.Equal(Messages, rowPositions.Concat(deadPositions).Distinct().Count());
        Assert.Equal(Messages, rows.Count + deadLetters.Count);
        Assert.True(deadLetters.Count >= bad, $"{deadLetters.Count} dead letters for {bad} bad messages");
    }

    [GeneratedRegex(@"bad=(\d+)")]
    private static partial Regex BadCount();
}
