namespace Ecommerce.Pipeline.TestSupport;

/// <summary>One fault class: the <c>--chaos</c> SPEC of the broker, and how long the test's producer sends for.</summary>
/// <remarks>The faults start 10 s after the cluster: the processor has joined by then and the producer is sending.</remarks>
public sealed record FaultScenario(string Name, string Chaos, TimeSpan ProduceFor)
{
    /// <summary>
    /// Whether Produce requests fail: then the mock broker may acknowledge an idempotent producer's retry without
    /// writing it (measured: 1–6 of 30,000 acknowledged messages missing from the topic), so fewer messages than
    /// produced may reach the processor.
    /// </summary>
    public bool FailsProduceRequests => Chaos.Contains("Produce", StringComparison.Ordinal) || Chaos.StartsWith("random:", StringComparison.Ordinal);

    public override string ToString() => Name;
}

/// <summary>The fault classes every sink is tested through (docs/operations.md, "What happens when Kafka fails").</summary>
public static class FaultMatrix
{
    public const int Messages = 40_000;
    public const double InvalidRatio = 0.02;

    private static readonly TimeSpan Produce = TimeSpan.FromSeconds(30);

    /// <summary>Partitions 0 and 3 are moved onto broker 2 first, so its outage takes leaders with it.</summary>
    public static FaultScenario BrokerDownAndUp { get; } = new("broker down and up", "9s:leader 0 2;9s:leader 3 2;10s:down 2;22s:up 2", Produce);

    public static FaultScenario LeaderMoves { get; } = new("leader moves", "10s:leader * 1;14s:leader * 3;18s:leader 2 2;22s:leader * 2", Produce);

    public static FaultScenario CoordinatorMoves { get; } = new("coordinator moves",
        "10s:coordinator 1;15s:coordinator 3;20s:coordinator 2;20s:errors Heartbeat 2 NOT_COORDINATOR", Produce);

    public static FaultScenario OffsetCommitErrors { get; } = new("OffsetCommit errors",
        "10s:errors OffsetCommit 5 REBALANCE_IN_PROGRESS;15s:errors OffsetCommit 6 NOT_COORDINATOR,COORDINATOR_NOT_AVAILABLE,REQUEST_TIMED_OUT", Produce);

    public static FaultScenario FetchErrors { get; } = new("Fetch errors",
        "10s:errors Fetch 10 NOT_LEADER_OR_FOLLOWER;15s:errors Fetch 10 UNKNOWN_TOPIC_OR_PARTITION,REQUEST_TIMED_OUT;20s:errors Fetch 3 _TRANSPORT", Produce);

    /// <summary>Produce errors hit every producer: the dead-letter publisher's and the test's own.</summary>
    public static FaultScenario ProduceErrors { get; } = new("Produce errors",
        "10s:errors Produce 20 REQUEST_TIMED_OUT,NOT_LEADER_OR_FOLLOWER;16s:errors Produce 20 NOT_ENOUGH_REPLICAS;20s:delay Produce 2 5 2000", Produce);

    public static FaultScenario SlowBroker { get; } = new("slow broker", "10s:rtt 2 800;18s:rtt 2 0;19s:rtt 1 300;24s:rtt 1 0", Produce);

    /// <summary>The seeded mix: at most 12 faults a minute during the 60 s the producer sends, then none.</summary>
    public static FaultScenario RandomMix { get; } = new("random mix", "random:7:12:60s", TimeSpan.FromSeconds(60));

    /// <summary>
    /// What the sink must hold after <paramref name="run"/>: every message the topic holds, which is every message
    /// produced unless the scenario fails Produce requests (the mock's loss is then reported, never the processor's).
    /// </summary>
    public static (HashSet<string> ValidIds, int InvalidCount, HashSet<string> DeadLetterIds) Expected(FaultRunResult run, Dataset data,
        Xunit.Abstractions.ITestOutputHelper output)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(output);
        var expected = run.Expected(data);
        var held = expected.ValidIds.Count + expected.InvalidCount;
        output.WriteLine($"the topic holds {held:N0} of the {data.Messages.Count:N0} messages acknowledged to the producer");
        if (held != data.Messages.Count && !run.Scenario.FailsProduceRequests)
        {
            throw new InvalidOperationException($"'{run.Scenario.Name}' lost {data.Messages.Count - held} acknowledged message(s) without Produce errors");
        }

        return expected;
    }
}
