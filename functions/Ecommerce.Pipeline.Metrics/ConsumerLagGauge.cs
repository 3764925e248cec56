using System.Globalization;
using Prometheus;

namespace Ecommerce.Pipeline.Metrics;

/// <summary>
/// <c>pipeline_consumer_lag{topic,partition}</c>: latest offset − committed offset, as KEDA computes it; and
/// <c>pipeline_consumer_group_lag{topic}</c>, their sum (the value KEDA divides by lagThreshold, before its cap).
/// </summary>
public static class ConsumerLagGauge
{
    private static readonly Gauge Lag = Prometheus.Metrics.CreateGauge(
        "pipeline_consumer_lag", "Latest offset minus committed offset of the consumer group, per partition.",
        new GaugeConfiguration { LabelNames = ["topic", "partition"] });

    private static readonly Gauge GroupLag = Prometheus.Metrics.CreateGauge(
        "pipeline_consumer_group_lag", "Lag of the consumer group summed over the topic's partitions.",
        new GaugeConfiguration { LabelNames = ["topic"] });

    public static void Set(string topic, int partition, long lag) =>
        Lag.WithLabels(topic, partition.ToString(CultureInfo.InvariantCulture)).Set(lag);

    /// <summary>Sets every partition of one reading and their total, so the total always matches the partitions.</summary>
    public static void Set(string topic, IReadOnlyList<(int Partition, long Lag)> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        long total = 0;
        foreach (var (partition, lag) in partitions)
        {
            Set(topic, partition, lag);
            total += lag;
        }

        GroupLag.WithLabels(topic).Set(total);
    }
}
