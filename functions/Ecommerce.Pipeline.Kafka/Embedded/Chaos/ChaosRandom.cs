using System.Globalization;
using Confluent.Kafka;

namespace Ecommerce.Pipeline.Kafka.Embedded.Chaos;

/// <summary>
/// The endless, reproducible fault mix of <c>random:SEED[:RATE]</c>: the same seed, rate and cluster shape give the
/// same steps at the same times. Faults follow one another (a fault with an end, such as a broker down or slow,
/// ends before the next starts), so at most one broker is down at a time and the cluster always recovers.
/// </summary>
public static class ChaosRandom
{
    // Errors clients handle by retrying, re-fetching metadata or rejoining; codes from Confluent.Kafka's ErrorCode.
    private const int NotLeaderOrFollower = (int)ErrorCode.NotLeaderForPartition;
    private const int RequestTimedOut = (int)ErrorCode.RequestTimedOut;
    private const int CoordinatorNotAvailable = (int)ErrorCode.GroupCoordinatorNotAvailable;
    private const int NotCoordinator = (int)ErrorCode.NotCoordinatorForGroup;
    private const int NotEnoughReplicas = (int)ErrorCode.NotEnoughReplicas;
    private const int RebalanceInProgress = (int)ErrorCode.RebalanceInProgress;

    /// <summary>The steps, in time order; with <paramref name="until"/> null they never end.</summary>
    /// <param name="seed">The same seed gives the same steps.</param>
    /// <param name="ratePerMinute">At most this many faults a minute.</param>
    /// <param name="brokers">Broker ids are drawn from 1..brokers.</param>
    /// <param name="partitions">Partitions are drawn from 0..partitions − 1.</param>
    /// <param name="until">No fault starts at or after this time (one that started before still ends); null: endless.</param>
    public static IEnumerable<ChaosStep> Steps(int seed, double ratePerMinute, int brokers, int partitions, TimeSpan? until = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerMinute);
        var random = new Random(seed);
        var meanGap = 60.0 / ratePerMinute;
        var at = TimeSpan.Zero;
        while (true)
        {
            // Gaps between half and one and a half times the mean: regular enough to reason about, never simultaneous.
            at += TimeSpan.FromSeconds(Math.Round(meanGap * (0.5 + random.NextDouble()), 1));
            if (at >= until)
            {
                yield break;
            }

            var broker = random.Next(1, brokers + 1);
            var lasting = TimeSpan.FromSeconds(random.Next(3, 11));
            switch (random.Next(8))
            {
                case 0:
                    yield return Step(at, ChaosAction.Down, $"down {broker}", broker);
                    at += lasting;
                    yield return Step(at, ChaosAction.Up, $"up {broker}", broker);
                    break;
                case 1:
                    var ms = random.Next(2, 16) * 100;
                    yield return Step(at, ChaosAction.Rtt, Invariant($"rtt {broker} {ms}"), broker) with { Milliseconds = ms };
                    at += lasting;
                    yield return Step(at, ChaosAction.Rtt, $"rtt {broker} 0", broker);
                    break;
                case 2:
                    var partition = random.Next(partitions);
                    yield return Step(at, ChaosAction.Leader, Invariant($"leader {partition} {broker}"), broker) with { Partition = partition };
                    break;
                case 3:
                    yield return Step(at, ChaosAction.Leader, $"leader * {broker}", broker);
                    break;
                case 4:
                    yield return Step(at, ChaosAction.Coordinator, $"coordinator {broker}", broker);
                    break;
                case 5:
                    yield return Errors(at, "OffsetCommit", 8, random.Next(1, 6),
                        Pick(random, ("REBALANCE_IN_PROGRESS", RebalanceInProgress), ("NOT_COORDINATOR", NotCoordinator),
                            ("COORDINATOR_NOT_AVAILABLE", CoordinatorNotAvailable), ("REQUEST_TIMED_OUT", RequestTimedOut)));
                    break;
                case 6:
                    yield return Errors(at, "Fetch", 1, random.Next(1, 11),
                        Pick(random, ("NOT_LEADER_OR_FOLLOWER", NotLeaderOrFollower), ("REQUEST_TIMED_OUT", RequestTimedOut)));
                    break;
                default:
                    yield return Errors(at, "Produce", 0, random.Next(1, 11),
                        Pick(random, ("NOT_LEADER_OR_FOLLOWER", NotLeaderOrFollower), ("REQUEST_TIMED_OUT", RequestTimedOut),
                            ("NOT_ENOUGH_REPLICAS", NotEnoughReplicas)));
                    break;
            }
        }
    }

    private static ChaosStep Step(TimeSpan at, ChaosAction action, string text, int broker) => new(at, action, text) { Broker = broker };

    private static ChaosStep Errors(TimeSpan at, string api, short key, int count, (string Name, int Code) error) =>
        new(at, ChaosAction.Errors, Invariant($"errors {api} {count} {error.Name}")) { ApiKey = key, Count = count, ErrorCodes = [error.Code] };

    private static (string, int) Pick(Random random, params (string, int)[] choices) => choices[random.Next(choices.Length)];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
