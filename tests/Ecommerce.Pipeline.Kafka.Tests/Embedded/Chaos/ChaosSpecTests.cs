using Confluent.Kafka;
using Ecommerce.Pipeline.Kafka.Embedded;
using Ecommerce.Pipeline.Kafka.Embedded.Chaos;

namespace Ecommerce.Pipeline.Kafka.Tests.Embedded.Chaos;

public sealed class ChaosSpecTests
{
    // A stand-in table for the pure tests; the librdkafka table itself is checked below.
    private static readonly Dictionary<string, int> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["NOT_COORDINATOR"] = 16, ["REBALANCE_IN_PROGRESS"] = 27, ["REQUEST_TIMED_OUT"] = 7, ["NO_ERROR"] = 0,
    };

    private static readonly string[] ApiNames = ["Produce", "Fetch", "ListOffsets", "Metadata", "OffsetCommit", "OffsetFetch",
        "FindCoordinator", "JoinGroup", "Heartbeat", "LeaveGroup", "SyncGroup"];

    private static ChaosSpec Parse(string text) => ChaosSpec.Parse(text, n => Names.TryGetValue(n, out var c) ? c : null);

    [Fact]
    public void Every_action_is_parsed_with_its_arguments()
    {
        var spec = Parse("10s:down 2; 25s:up 2; 1m30s:rtt 3 500; 2m:rtt 3 0; 5s:leader 4 1; 6s:leader * 2; 7s:coordinator 3; " +
                         "8s:errors OffsetCommit 5 REBALANCE_IN_PROGRESS,NOT_COORDINATOR; 9s:delay produce 2 3 800; 11s:topic-error no_error");

        Assert.Equal(
        [
            "leader 4 1", "leader * 2", "coordinator 3", "errors OffsetCommit 5 REBALANCE_IN_PROGRESS,NOT_COORDINATOR",
            "delay Produce 2 3 800", "down 2", "topic-error NO_ERROR", "up 2", "rtt 3 500", "rtt 3 0",
        ], spec.Steps.Select(s => s.Text));
        Assert.Equal([5, 6, 7, 8, 9, 10, 11, 25, 90, 120], spec.Steps.Select(s => s.At.TotalSeconds));

        var commit = spec.Steps.Single(s => s.Action == ChaosAction.Errors);
        Assert.Equal((short)8, commit.ApiKey);
        Assert.Equal(5, commit.Count);
        Assert.Equal([27, 16], commit.ErrorCodes);
        Assert.Null(spec.Steps.Single(s => s.Text == "leader * 2").Partition);
        Assert.Equal(4, spec.Steps.Single(s => s.Text == "leader 4 1").Partition);
        Assert.Equal(800, spec.Steps.Single(s => s.Action == ChaosAction.Delay).Milliseconds);
        Assert.Equal(500, spec.Steps.Single(s => s.Text == "rtt 3 500").Milliseconds);
    }

    [Theory]
    [InlineData("0s", 0)]
    [InlineData("250ms", 0.25)]
    [InlineData("2.5s", 2.5)]
    [InlineData("1m30s", 90)]
    [InlineData("1h5m", 3900)]
    [InlineData("1m0s500ms", 60.5)]
    public void Times_are_durations_with_one_or_more_parts(string at, double seconds)
    {
        Assert.True(ChaosSpec.TryParseAt(at, out var parsed));
        Assert.Equal(seconds, parsed.TotalSeconds);
    }

    [Theory]
    [InlineData("10s:down x", "step 1 '10s:down x': BROKER must be a whole number")]
    [InlineData("10s:down 1;ten:up 1", "step 2 'ten:up 1': 'ten' is not a time")]
    [InlineData("10s:explode 1", "step 1 '10s:explode 1': unknown action 'explode'")]
    [InlineData("down 1", "step 1 'down 1': expected AT:ACTION")]
    [InlineData("10s:rtt 1", "step 1 '10s:rtt 1': expected 'rtt BROKER MS'")]
    [InlineData("10s:errors Gossip 3 NOT_COORDINATOR", "'Gossip' is not a Kafka API")]
    [InlineData("10s:errors Fetch 3 NOT_A_THING", "'NOT_A_THING' is not a Kafka error name")]
    [InlineData("10s:errors Fetch 0 NOT_COORDINATOR", "N must be a whole number from 1")]
    [InlineData("10s:", "no action")]
    [InlineData("", "empty SPEC")]
    [InlineData("random:abc", "random:SEED[:RATE[:FOR]]")]
    [InlineData("random:1:6:soon", "FOR must be a duration")]
    [InlineData("random:1:0", "RATE (faults a minute) must be a number above 0")]
    public void A_bad_step_is_one_line_that_names_it(string text, string expected)
    {
        var ex = Assert.Throws<ChaosSpecException>(() => Parse(text));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("--chaos: ", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void Steps_that_do_not_fit_the_cluster_are_refused_by_name()
    {
        var ex = Assert.Throws<ChaosSpecException>(() => Parse("1s:up 1;2s:down 4").Validate(brokers: 3, partitions: 6));
        Assert.Contains("'2s:down 4': broker 4 does not exist (brokers are 1..3)", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ChaosSpecException>(() => Parse("1s:leader 6 1").Validate(brokers: 3, partitions: 6));
        Assert.Contains("partition 6 does not exist", ex.Message, StringComparison.Ordinal);
        Parse("1s:leader 5 3;2s:errors Fetch 2 REQUEST_TIMED_OUT").Validate(brokers: 3, partitions: 6);
    }

    [Fact]
    public void Kafka_api_names_map_to_the_protocol_keys()
    {
        var spec = Parse(string.Join(';', ApiNames.Select(a => $"1s:errors {a} 1 NO_ERROR")));
        Assert.Equal([0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14], spec.Steps.Select(s => (int)s.ApiKey));
    }

    [Fact]
    public void Kafka_error_names_resolve_through_librdkafkas_table_to_the_codes_of_Confluents_ErrorCode()
    {
        // Two independent sources agree: librdkafka's name table (read from the loaded library) and Confluent.Kafka's enum.
        var expected = new Dictionary<string, ErrorCode>
        {
            ["NOT_COORDINATOR"] = ErrorCode.NotCoordinatorForGroup,
            ["COORDINATOR_NOT_AVAILABLE"] = ErrorCode.GroupCoordinatorNotAvailable,
            ["REBALANCE_IN_PROGRESS"] = ErrorCode.RebalanceInProgress,
            ["NOT_LEADER_OR_FOLLOWER"] = ErrorCode.NotLeaderForPartition,
            ["REQUEST_TIMED_OUT"] = ErrorCode.RequestTimedOut,
            ["UNKNOWN_TOPIC_OR_PARTITION"] = ErrorCode.UnknownTopicOrPart,
            ["ILLEGAL_GENERATION"] = ErrorCode.IllegalGeneration,
            ["UNKNOWN_MEMBER_ID"] = ErrorCode.UnknownMemberId,
            ["NETWORK_EXCEPTION"] = ErrorCode.NetworkException,
            ["NOT_ENOUGH_REPLICAS"] = ErrorCode.NotEnoughReplicas,
            ["_TRANSPORT"] = ErrorCode.Local_Transport,
        };
        var spec = ChaosSpec.Parse(string.Join(';', expected.Keys.Select(n => $"1s:errors Fetch 1 {n.ToLowerInvariant()}")));
        Assert.Equal(expected.Values.Select(c => (int)c), spec.Steps.Select(s => s.ErrorCodes[0]));
        Assert.True(KafkaErrorNames.All.Count > 100, "librdkafka's table was not read");

        // Local errors other than _TRANSPORT mean nothing to a broker, so they are not accepted.
        Assert.Throws<ChaosSpecException>(() => ChaosSpec.Parse("1s:errors Fetch 1 _TIMED_OUT"));
    }

    [Fact]
    public void A_random_mix_is_reproducible_from_its_seed()
    {
        var spec = Parse("random:42:10");
        Assert.Equal(42, spec.Seed);
        Assert.Equal(10, spec.Rate);
        var first = spec.Schedule(3, 6).Take(60).Select(s => $"{s.At}|{s.Text}").ToList();
        var again = Parse("random:42:10").Schedule(3, 6).Take(60).Select(s => $"{s.At}|{s.Text}").ToList();
        var other = Parse("random:43:10").Schedule(3, 6).Take(60).Select(s => $"{s.At}|{s.Text}").ToList();
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void A_random_mix_with_FOR_starts_no_fault_after_it_and_ends_the_ones_it_started()
    {
        var spec = Parse("random:5:30:60s");
        Assert.Equal(TimeSpan.FromSeconds(60), spec.RandomFor);
        var steps = spec.Schedule(3, 6).ToList(); // finite
        var starts = steps.Where(s => s.Action is not ChaosAction.Up && !(s.Action == ChaosAction.Rtt && s.Milliseconds == 0)).ToList();
        Assert.NotEmpty(starts);
        Assert.All(starts, s => Assert.True(s.At < TimeSpan.FromSeconds(60), s.Text));
        Assert.Equal(steps.Count(s => s.Action == ChaosAction.Down), steps.Count(s => s.Action == ChaosAction.Up));
        // The same mix as without FOR, cut short.
        Assert.Equal(Parse("random:5:30").Schedule(3, 6).Take(5).Select(s => s.Text), steps.Take(5).Select(s => s.Text));
    }

    [Theory]
    [InlineData(1, 6.0)]
    [InlineData(7, 30.0)]
    [InlineData(123, 2.0)]
    public void A_random_mix_keeps_the_cluster_recoverable(int seed, double rate)
    {
        var steps = ChaosSpec.Parse($"random:{seed}:{rate}", n => Names.TryGetValue(n, out var c) ? c : null)
            .Schedule(brokers: 3, partitions: 6).TakeWhile(s => s.At < TimeSpan.FromHours(1)).ToList();

        // At most RATE faults a minute (a fault with an end counts once, and its duration delays the next one).
        var faults = steps.Count(s => s.Action is not ChaosAction.Up && !(s.Action == ChaosAction.Rtt && s.Milliseconds == 0));
        Assert.InRange(faults, 60 * rate * 0.5, 60 * rate * 1.1);

        // In time order; at most one broker down or slow at a time, and each ends before the next fault.
        Assert.Equal(steps.OrderBy(s => s.At).Select(s => s.At), steps.Select(s => s.At));
        for (var i = 0; i < steps.Count - 1; i++)
        {
            if (steps[i].Action == ChaosAction.Down || (steps[i].Action == ChaosAction.Rtt && steps[i].Milliseconds > 0))
            {
                var end = steps[i + 1];
                Assert.Equal(steps[i].Broker, end.Broker);
                Assert.True(end.Action == ChaosAction.Up || (end.Action == ChaosAction.Rtt && end.Milliseconds == 0), end.Text);
                Assert.InRange((end.At - steps[i].At).TotalSeconds, 3, 10);
            }
        }

        Assert.All(steps, s => Assert.InRange(s.Broker, 0, 3));
        Assert.All(steps.Where(s => s.Partition is not null), s => Assert.InRange(s.Partition!.Value, 0, 5));
        // Every kind of fault occurs in an hour.
        Assert.Equal(7, steps.Select(s => s.Text.Split(' ')[0] + (s.Action == ChaosAction.Errors ? s.ApiKey.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty))
            .Where(k => k is not "up").Distinct().Count());
    }
}
