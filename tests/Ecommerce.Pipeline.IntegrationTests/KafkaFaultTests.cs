using Ecommerce.Pipeline.IntegrationTests.Support;
using Xunit.Abstractions;

namespace Ecommerce.Pipeline.IntegrationTests;

/// <summary>
/// The processor rides through each Kafka fault class of the embedded cluster (<c>pipeline broker --chaos</c>):
/// 40,000 messages (2% invalid), every valid id stored exactly once, every invalid one dead-lettered exactly once,
/// the processor still running at the end. One class per fault, so xUnit runs them side by side.
/// </summary>
[Trait("Category", "Integration")]
public abstract class KafkaFaultTests(ITestOutputHelper output)
{
    protected abstract FaultScenario Scenario { get; }

    [Fact]
    public async Task Nothing_is_lost_or_stored_twice_and_the_processor_keeps_running()
    {
        using var dir = new TempDir();
        var data = Dataset.Create(FaultMatrix.Messages, FaultMatrix.InvalidRatio, "chaos");
        var db = dir.File("warehouse.duckdb");
        var run = await FaultRun.RunAsync(Scenario, data, data.WriteJsonLines(dir.File("in.jsonl")),
            servers => ["process", "--bootstrap-servers", servers, "--duckdb", db, "--metrics-port", "0"]);
        output.WriteLine($"{Scenario.Name}: longest commit stall {run.LongestCommitStall.TotalSeconds:F1}s, " +
                         $"committed at first fault {run.CommittedAtFirstFault:N0}, run {run.Elapsed.TotalSeconds:F0}s");
        output.WriteLine(string.Join('\n', run.ChaosLines));
        output.WriteLine(run.ProcessorStdout);

        Assert.True(run.RunningAtEnd, run.ProcessorStderr);
        Assert.True(run.ExitCode == 0, run.ProcessorStderr);
        Assert.NotEmpty(run.ChaosLines);
        Assert.InRange(run.CommittedAtFirstFault, 0, FaultMatrix.Messages - 1); // the faults hit a running consumption

        var (validIds, invalidCount, deadIds) = FaultMatrix.Expected(run, data, output);
        Assert.Equal(validIds.Count, await Warehouse.ScalarAsync(db, "SELECT count(*) FROM transactions"));
        Assert.True((await Warehouse.IdsAsync(db, "SELECT transaction_id FROM transactions")).SetEquals(validIds),
            "stored ids differ from the valid ids");
        Assert.Equal(invalidCount, await Warehouse.ScalarAsync(db, "SELECT count(*) FROM dead_letters"));
        Assert.Equal(invalidCount, await Warehouse.ScalarAsync(db,
            "SELECT count(*) FROM (SELECT DISTINCT kafka_topic, kafka_partition, kafka_offset FROM dead_letters)"));
        Assert.True((await Warehouse.IdsAsync(db, "SELECT transaction_id FROM dead_letters WHERE transaction_id IS NOT NULL"))
            .SetEquals(deadIds), "dead-lettered ids differ from the invalid ids");

        // Each fault is a few lines, not one per librdkafka retry.
        Assert.True(run.ProcessorStderr.Split('\n').Length < 200, run.ProcessorStderr);
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
