using Prometheus;

namespace Ecommerce.Pipeline.Metrics;

/// <summary>
/// How the processor's Kafka consumer rides through faults (docs/contract.md, "Metrics"): failed commits,
/// rebalances, and how long its partitions have been without a reachable leader or without fetch progress.
/// </summary>
public static class KafkaConsumerHealthGauge
{
    private static readonly Counter CommitFailures = Prometheus.Metrics.CreateCounter(
        "pipeline_kafka_commit_failures_total", "Offset commits that failed; their offsets stayed pending for the next commit.");

    private static readonly Counter Rebalances = Prometheus.Metrics.CreateCounter(
        "pipeline_kafka_rebalances_total", "Assignment changes of this member (partitions assigned, revoked or lost).");

    private static readonly Gauge WithoutLeader = Prometheus.Metrics.CreateGauge(
        "pipeline_kafka_seconds_without_leader", "Longest time one of this member's partitions has had no reachable leader; 0 when all have one.");

    private static readonly Gauge WithoutFetchProgress = Prometheus.Metrics.CreateGauge(
        "pipeline_kafka_seconds_without_fetch_progress", "Time since a record was last fetched while this member's partitions have lag; 0 when caught up.");

    private static readonly Gauge SinceContact = Prometheus.Metrics.CreateGauge(
        "pipeline_kafka_seconds_since_contact", "Time since a broker last answered the processor's consumer.");

    /// <summary>Sets the series from the consumer's running totals and current durations.</summary>
    public static void Set(long commitFailures, long rebalances, TimeSpan withoutLeader, TimeSpan withoutFetchProgress, TimeSpan sinceContact)
    {
        CommitFailures.IncTo(commitFailures);
        Rebalances.IncTo(rebalances);
        WithoutLeader.Set(withoutLeader.TotalSeconds);
        WithoutFetchProgress.Set(withoutFetchProgress.TotalSeconds);
        SinceContact.Set(sinceContact.TotalSeconds);
    }
}
