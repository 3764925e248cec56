using System.Globalization;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>
/// <c>pipeline process --sink bigquery</c> (the Storage Write API, exactly-once: the defaults) against both stand-ins,
/// one injected fault per run: every message ends up exactly once, as a transaction row or as a dead letter, by
/// (kafka_partition, kafka_offset) and by transaction_id, and the run finishes (<c>--until-idle</c>) without stalling.
/// </summary>
[Trait("Category", "Integration")]
public sealed class StorageWriteCliFaultTests : StorageWriteStandInPair
{
    private const int Messages = 3000;

    private string[] Process(string servers, string untilIdle) =>
    [
        "process", "--bootstrap-servers", servers, "--sink", "bigquery", "--bigquery-project", "proj", "--bigquery-dataset", "ds",
        "--bigquery-endpoint", Rest.Endpoint.ToString(), "--bigquery-storage-endpoint", Write.Endpoint.ToString(),
        "--until-idle", untilIdle, "--metrics-port", "0",
    ];

    [Theory]
    [InlineData(StorageWriteFault.ResetBeforeApply)]
    [InlineData(StorageWriteFault.ResetAfterApply)]
    [InlineData(StorageWriteFault.Unavailable)]
    [InlineData(StorageWriteFault.ResourceExhausted)]
    public async Task A_connection_fault_every_few_appends_loses_and_repeats_nothing(StorageWriteFault fault)
    {
        var (broker, servers) = await Cli.StartBrokerAsync();
        await using var _ = broker;
        await ProduceAsync(servers, Messages, seed: 7);
        Write.InjectEvery(fault, 5);

        var run = await Cli.RunAsync(TimeSpan.FromSeconds(180), Process(servers, "3s"));

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains($"consumed={Messages} ", run.Output, StringComparison.Ordinal);
        Assert.True(Write.FaultsInjected.GetValueOrDefault(fault) > 0, $"{fault} was never injected: {run.Output}");
        AssertEveryMessageOnce(Messages);
    }

    [Fact]
    public async Task New_tables_not_yet_visible_and_idle_closes_between_bursts_lose_and_repeat_nothing()
    {
        var (broker, servers) = await Cli.StartBrokerAsync();
        await using var _ = broker;
        // The processor creates both tables; the streaming backends answer NOT_FOUND for them for a while.
        Write.NotFoundAfterCreate = TimeSpan.FromSeconds(6);
        Write.IdleTimeout = TimeSpan.FromMilliseconds(500);
        await ProduceAsync(servers, Messages / 2, seed: 7);

        await using var processor = Cli.Start(Process(servers, "20s"));
        await Cli.WaitUntilAsync(() => Stored() >= Messages / 2, processor, "the first burst was not stored");
        // The open connections go idle and the stand-in closes them, as Google does after ten minutes; then more data.
        await Cli.WaitUntilAsync(() => Write.FaultsInjected.GetValueOrDefault(StorageWriteFault.IdleClose) > 0, processor, "no idle close");
        await ProduceAsync(servers, Messages / 2, seed: 8);
        await Cli.WaitUntilAsync(() => Stored() >= Messages, processor, "the second burst was not stored");

        Assert.Equal(0, await processor.WaitForExitAsync(TimeSpan.FromSeconds(90)));
        Assert.True(Write.FaultsInjected.GetValueOrDefault(StorageWriteFault.NotFound) > 0, "no NOT_FOUND after table creation: " + processor.Output);
        AssertEveryMessageOnce(Messages);
    }

    private static async Task ProduceAsync(string servers, int count, int seed)
    {
        var produced = await Cli.RunAsync(TimeSpan.FromSeconds(90), "produce", "--bootstrap-servers", servers,
            "--count", count.ToString(CultureInfo.InvariantCulture), "--bad-ratio", "0.05", "--seed", seed.ToString(CultureInfo.InvariantCulture));
        Assert.True(produced.ExitCode == 0, produced.Output);
    }

    private int Stored() => Rest.LiveRows("ds.transactions").Count + Rest.LiveRows("ds.dead_letters").Count;

    /// <summary>Each Kafka position 0..n-1 of every partition is in exactly one of the two tables, once; no transaction_id twice.</summary>
    private void AssertEveryMessageOnce(int messages)
    {
        var rows = Rest.LiveRows("ds.transactions");
        var deadLetters = Rest.LiveRows("ds.dead_letters");
        var positions = Rest.KafkaPositions("ds.transactions").Concat(Rest.KafkaPositions("ds.dead_letters")).ToList();
        var repeated = positions.GroupBy(p => p).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(repeated.Count == 0, $"stored more than once: {string.Join(", ", repeated.Take(10))}");
        Assert.Equal(messages, positions.Count);
        foreach (var partition in positions.GroupBy(p => p.Partition))
        {
            Assert.Equal(Enumerable.Range(0, partition.Count()).Select(o => (long)o), partition.Select(p => p.Offset).Order());
        }

        var ids = rows.Select(r => r.GetProperty("transaction_id").GetString()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.True(deadLetters.Count > 0, "the bad messages made no dead letters");
    }
}
