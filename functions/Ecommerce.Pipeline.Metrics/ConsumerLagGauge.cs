using System.Globalization;
using Prometheus;

namespace Ecommerce.Pipeline.Metrics;

/// <summary><c>pipeline_consumer_lag{topic,partition}</c>: latest offset − committed offset, as KEDA computes it.</summary>
public static class ConsumerLagGauge
{
    private static readonly Gauge Lag = Prometheus.Metrics.CreateGauge(
        "pipeline_consumer_lag", "Latest offset minus committed offset of the consumer group, per partition.",
        new GaugeConfiguration { LabelNames = ["topic", "partition"] });

    public static void Set(string topic, int partition, long lag) =>
        Lag.WithLabels(topic, partition.ToString(CultureInfo.InvariantCulture)).Set(lag);
}
