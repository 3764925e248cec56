using Ecommerce.Pipeline.IntegrationTests.Support;

namespace Ecommerce.Pipeline.IntegrationTests;

/// <summary>
/// An independent Kafka client (Debian's kcat) writes into <c>pipeline broker</c>; <c>pipeline process</c> stores
/// exactly the valid records; dead letters carry the right reasons; <c>pipeline query --format csv</c> returns them.
/// </summary>
[Collection(nameof(ProcessTests))]
[Trait("Category", "Integration")]
public sealed class KcatInteropTests
{
    [Fact]
    public async Task Kcat_produced_records_are_stored_and_dead_lettered_exactly()
    {
        var kcat = Tools.Kcat;
        using var dir = new TempDir();
        await using var broker = await Broker.StartAsync();
        var data = Dataset.Create(400, 0.05, "kcat");
        var file = data.WriteKeyedLines(dir.File("input.txt"));

        var (code, _, stderr) = KafkaTestKit.Run(kcat,
            ["-P", "-b", broker.BootstrapServers, "-t", "transactions_stream", "-K:", "-l", file], timeout: TimeSpan.FromSeconds(60));
        Assert.True(code == 0, $"kcat failed: {stderr}");

        var db = dir.File("warehouse.duckdb");
        var process = await PipelineProcess.RunAsync(
            ["process", "--bootstrap-servers", broker.BootstrapServers, "--until-idle", "3s", "--duckdb", db, "--metrics-port", "0"],
            TimeSpan.FromMinutes(2));
        Assert.True(process.ExitCode == 0, $"process failed: {process.Stderr}");
        Assert.Contains("stop=idle", process.Stdout, StringComparison.Ordinal);

        var stored = await Warehouse.IdsAsync(db, "SELECT transaction_id FROM transactions");
        Assert.Equal(data.ValidIds.Order(), stored.Order());
        Assert.Equal(data.ValidIds.Count, await Warehouse.ScalarAsync(db, "SELECT count(*) FROM transactions"));

        var reasons = (await Warehouse.QueryCsvAsync(db, "SELECT transaction_id, reason FROM dead_letters WHERE transaction_id IS NOT NULL"))
            .ToDictionary(r => r[0], r => r[1]);
        Assert.Equal(data.InvalidIds.OrderBy(kv => kv.Key), reasons.OrderBy(kv => kv.Key));
        Assert.Equal(data.InvalidCount, await Warehouse.ScalarAsync(db, "SELECT count(*) FROM dead_letters"));

        // A stored row, exactly as the CSV of the query verb prints it.
        var row = (await Warehouse.QueryCsvAsync(db,
            "SELECT transaction_id, user_id, price, currency, payment_method, country_code, continent, city FROM transactions WHERE transaction_id = 'kcat-0000001'")).Single();
        Assert.Equal(["kcat-0000001", "user-1", "2.01", "USD", "credit_card", "FR", "EU", "Paris"], row);

        // The keys kcat sent are on the topic; the dead letters are on their topic too, with reasons.
        var dlq = KafkaTestKit.ConsumeAll(broker.BootstrapServers, "transactions_dlq");
        Assert.Equal(data.InvalidCount, dlq.Count);
        Assert.All(dlq, m => Assert.Contains("\"reason\":", m.Value, StringComparison.Ordinal));
    }
}
