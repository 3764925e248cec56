using Ecommerce.Pipeline.IntegrationTests.Support;
using Xunit.Abstractions;

namespace Ecommerce.Pipeline.IntegrationTests;

/// <summary>
/// Two <c>pipeline process</c> processes in one consumer group share the partitions; stopping one hands its
/// partitions to the other, and nothing is lost. (Each writes its own DuckDB file, since a DuckDB file has one
/// writer; with BigQuery both would write one table.)
/// </summary>
[Collection(nameof(ProcessTests))]
[Trait("Category", "Integration")]
public sealed class RebalanceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Stopping_one_of_two_processors_hands_its_partitions_over_and_loses_nothing()
    {
        using var dir = new TempDir();
        await using var broker = await Broker.StartAsync();
        var data = Dataset.Create(30_000, 0.05, "rebal");
        string[] Args(string db) => ["process", "--bootstrap-servers", broker.BootstrapServers, "--duckdb", db, "--metrics-port", "0"];
        var db1 = dir.File("one.duckdb");
        var db2 = dir.File("two.duckdb");
        using var progress = new GroupProgress(broker.BootstrapServers, "ecommerce-pipeline");

        await using var first = PipelineProcess.Start(Args(db1));
        await first.WaitForLineAsync(l => l.Contains("Partitions assigned", StringComparison.Ordinal), TimeSpan.FromSeconds(60), stderr: true);
        await using var second = PipelineProcess.Start(Args(db2));
        await second.WaitForLineAsync(l => l.Contains("Partitions assigned: [transactions_stream", StringComparison.Ordinal),
            TimeSpan.FromSeconds(90), stderr: true);

        // Messages arrive while both share the group.
        await using var producer = PipelineProcess.Start(["produce", "--bootstrap-servers", broker.BootstrapServers,
            "--file", data.WriteJsonLines(dir.File("in.jsonl")), "--rate", "3000"]);
        await progress.WaitForCommittedAsync(data.Messages.Count / 3, second, TimeSpan.FromMinutes(2));

        second.Terminate();
        Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, await producer.WaitForExitAsync(TimeSpan.FromMinutes(2)));
        await progress.WaitForCommittedAsync(data.Messages.Count, first, TimeSpan.FromMinutes(2));
        first.Terminate();
        Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(60)));

        output.WriteLine("first: " + first.Stdout);
        output.WriteLine("second: " + second.Stdout);
        var one = await Warehouse.IdsAsync(db1, "SELECT transaction_id FROM transactions");
        var two = await Warehouse.IdsAsync(db2, "SELECT transaction_id FROM transactions");
        Assert.NotEmpty(two); // the second one did take part
        Assert.Equal(one.Count, await Warehouse.ScalarAsync(db1, "SELECT count(*) FROM transactions"));
        Assert.Equal(two.Count, await Warehouse.ScalarAsync(db2, "SELECT count(*) FROM transactions"));
        var union = one.Union(two).ToHashSet();
        Assert.True(union.SetEquals(data.ValidIds), $"lost {data.ValidIds.Except(union).Count()} ids");
        output.WriteLine($"first stored {one.Count:N0}, second {two.Count:N0}, stored by both (re-delivered at the hand-over): {one.Intersect(two).Count()}");

        var deadOne = await Warehouse.QueryCsvAsync(db1, "SELECT kafka_partition, kafka_offset FROM dead_letters");
        var deadTwo = await Warehouse.QueryCsvAsync(db2, "SELECT kafka_partition, kafka_offset FROM dead_letters");
        Assert.Equal(data.InvalidCount, deadOne.Concat(deadTwo).Select(r => (r[0], r[1])).Distinct().Count());
        Assert.Equal(0, progress.Lag());
    }
}
