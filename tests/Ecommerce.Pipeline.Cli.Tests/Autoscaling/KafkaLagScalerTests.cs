using Ecommerce.Pipeline.Cli.Autoscaling;

namespace Ecommerce.Pipeline.Cli.Tests.Autoscaling;

/// <summary>KEDA's kafka scaler arithmetic, computed by hand.</summary>
public sealed class KafkaLagScalerTests
{
    private static readonly long[] TwelveBusyPartitions = [.. Enumerable.Repeat(100L, 12)];

    [Fact]
    public void Total_lag_is_capped_at_partitions_times_threshold()
    {
        // 12 × 100 = 1,200 messages of lag would ask for 120 replicas; 12 partitions × threshold 10 = 120 is the cap.
        var reading = KafkaLagScaler.Read(TwelveBusyPartitions, new KafkaTriggerSettings(10, 0));

        Assert.Equal(120, reading.Metric);
        Assert.Equal(1_200, reading.TotalLag);
    }

    [Fact]
    public void The_cap_uses_integer_division_so_a_partial_extra_replica_is_not_capped()
    {
        // 125 / 10 = 12 (Go integer division), not > 12 partitions: the metric stays 125 (the HPA then asks ceil(12.5) = 13).
        long[] lags = [.. Enumerable.Repeat(10L, 11), 15];
        var reading = KafkaLagScaler.Read(lags, new KafkaTriggerSettings(10, 0));

        Assert.Equal(125, reading.Metric);
    }

    [Fact]
    public void Allow_idle_consumers_lifts_the_cap()
    {
        var reading = KafkaLagScaler.Read(TwelveBusyPartitions, new KafkaTriggerSettings(10, 0, AllowIdleConsumers: true));

        Assert.Equal(1_200, reading.Metric);
    }

    [Fact]
    public void Limit_to_partitions_with_lag_caps_at_the_lagging_partitions()
    {
        long[] lags = [100, 0, 100, 0, 0, 100, 0, 0, 0, 0, 0, 0];
        var reading = KafkaLagScaler.Read(lags, new KafkaTriggerSettings(10, 0, LimitToPartitionsWithLag: true));

        Assert.Equal(30, reading.Metric);
        Assert.Equal(300, reading.TotalLag);
    }

    [Fact]
    public void Even_distribution_rounds_up_to_a_divisor_of_the_partition_count()
    {
        // Lag 35, threshold 10: 4 replicas would do; 4 divides 12, so the metric becomes 4 × 10.
        long[] lags = [35, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        var reading = KafkaLagScaler.Read(lags, new KafkaTriggerSettings(10, 0, EnsureEvenDistributionOfPartitions: true));
        Assert.Equal(40, reading.Metric);

        // Lag 45 needs 5, which does not divide 12: the next divisor is 6.
        lags[0] = 45;
        Assert.Equal(60, KafkaLagScaler.Read(lags, new KafkaTriggerSettings(10, 0, EnsureEvenDistributionOfPartitions: true)).Metric);
    }

    [Theory]
    [InlineData(0, 0, false)]
    [InlineData(1, 0, true)]
    [InlineData(100, 100, false)]
    [InlineData(101, 100, true)]
    public void Active_only_when_the_uncapped_lag_exceeds_the_activation_threshold(long lag, long activation, bool active)
    {
        long[] lags = [lag, 0, 0];
        var settings = new KafkaTriggerSettings(10, activation);

        Assert.Equal(active, KafkaLagScaler.IsActive(KafkaLagScaler.Read(lags, settings), settings));
    }
}
