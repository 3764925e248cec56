using Xunit.Abstractions;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>
/// The Kafka fault matrix (<see cref="FaultMatrix"/>) once more through the BigQuery sink against the stand-in: every
/// valid id stored once, every invalid one dead-lettered once, the processor still running at the end. One class
/// per fault, so xUnit runs them side by side.
/// </summary>
[Trait("Category", "Integration")]
public abstract class KafkaFaultTests(ITestOutputHelper output) : IAsyncLifetime
{
    private BigQueryStandIn _standIn = null!;

    protected abstract FaultScenario Scenario { get; }

    public async Task InitializeAsync() => _standIn = await BigQueryStandIn.StartAsync();

    public async Task DisposeAsync()
    {
        Assert.Empty(_standIn.ContractViolations);
        await _standIn.DisposeAsync();
    }

    [Fact]
    public async Task Nothing_is_lost_or_stored_twice_in_BigQuery_and_the_processor_keeps_running()
    {
        using var dir = new TempDir();
        var data = Dataset.Create(FaultMatrix.Messages, FaultMatrix.InvalidRatio, "bqchaos");
        var run = await FaultRun.RunAsync(Scenario, data, data.WriteJsonLines(dir.File("in.jsonl")),
            servers => ["process", "--bootstrap-servers", servers, "--sink", "bigquery", "--bigquery-project", "proj",
                "--bigquery-dataset", "ds", "--bigquery-endpoint", _standIn.Endpoint.ToString(), "--bigquery-write-api", "insertall", "--metrics-port", "0"],
            Cli.Directory);
        output.WriteLine($"{Scenario.Name} (BigQuery): longest commit stall {run.LongestCommitStall.TotalSeconds:F1}s, run {run.Elapsed.TotalSeconds:F0}s");
        output.WriteLine(string.Join('\n', run.ChaosLines));
        output.WriteLine(run.ProcessorStdout);

        Assert.True(run.RunningAtEnd, run.ProcessorStderr);
        Assert.True(run.ExitCode == 0, run.ProcessorStderr);
        Assert.NotEmpty(run.ChaosLines);

        var (validIds, invalidCount, deadIds) = FaultMatrix.Expected(run, data, output);
        var stored = _standIn.Rows["ds.transactions"].Values.Select(r => r.GetProperty("transaction_id").GetString()!).ToList();
        Assert.Equal(validIds.Count, stored.Count);
        Assert.True(stored.ToHashSet(StringComparer.Ordinal).SetEquals(validIds), "stored ids differ from the valid ids");
        var dead = _standIn.Rows["ds.dead_letters"].Values.ToList();
        Assert.Equal(invalidCount, dead.Count);
        // transaction_id is left out of a dead letter's row when the message had none that could be read.
        Assert.True(dead.Select(r => r.TryGetProperty("transaction_id", out var t) ? t : default)
                .Where(t => t.ValueKind == System.Text.Json.JsonValueKind.String).Select(t => t.GetString()!)
                .ToHashSet(StringComparer.Ordinal).SetEquals(deadIds),
            "dead-lettered ids differ from the invalid ids");
    }
}

public sealed class BrokerDownAndUpTests(ITestOutputHelper output) : KafkaFaultTests(output)
{
    protected override FaultScenario Scenario => FaultMatrix.BrokerDownAndUp;
}

public sealed class LeaderMovesTests(ITestOutputHelper output) : KafkaFaultTests(output)
{
    protected override FaultScenario Scenario => FaultMatrix.LeaderMoves;
}

public sealed class CoordinatorMovesTests(ITestOutputHelper output) : KafkaFaultTests(output)
{
    protected override FaultScenario Scenario => FaultMatrix.CoordinatorMoves;
}

public sealed class OffsetCommitErrorsTests(ITestOutputHelper output) : KafkaFaultTests(output)
{
    protected override FaultScenario Scenario => FaultMatrix.OffsetCommitErrors;
}

public sealed class FetchErrorsTests(ITestOutputHelper output) : KafkaFaultTests(output)
{
    protected override FaultScenario Scenario => FaultMatrix.FetchErrors;
}

public sealed class ProduceErrorsTests(ITestOutputHelper output) : KafkaFaultTests(output)
{
    protected override FaultScenario Scenario => FaultMatrix.ProduceErrors;
}

public sealed class SlowBrokerTests(ITestOutputHelper output) : KafkaFaultTests(output)
{
    protected override FaultScenario Scenario => FaultMatrix.SlowBroker;
}

public sealed class RandomMixTests(ITestOutputHelper output) : KafkaFaultTests(output)
{
    protected override FaultScenario Scenario => FaultMatrix.RandomMix;
}
