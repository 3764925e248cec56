namespace Ecommerce.Pipeline.Cli.Autoscaling;

/// <summary>What KEDA's kafka scaler reports for one poll.</summary>
/// <param name="Metric">The value given to the HPA (total lag, capped unless idle consumers are allowed).</param>
/// <param name="TotalLag">The uncapped total lag, which decides activation.</param>
internal readonly record struct LagReading(long Metric, long TotalLag);

/// <summary>
/// KEDA's kafka scaler arithmetic (pkg/scalers/kafka_scaler.go, getTotalLag and GetMetricsAndActivity): lag per
/// partition = latest offset − committed offset; the metric is the sum, capped at upperBound × lagThreshold where
/// upperBound is the partition count (or the partitions with lag when limitToPartitionsWithLag), unless
/// allowIdleConsumers; the trigger is active when the uncapped total exceeds activationLagThreshold.
/// </summary>
internal static class KafkaLagScaler
{
    public static LagReading Read(ReadOnlySpan<long> partitionLags, KafkaTriggerSettings settings)
    {
        long total = 0;
        long partitionsWithLag = 0;
        foreach (var lag in partitionLags)
        {
            total += lag;
            if (lag > 0)
            {
                partitionsWithLag++;
            }
        }

        var metric = total;
        var partitions = (long)partitionLags.Length;
        if (!settings.AllowIdleConsumers || settings.LimitToPartitionsWithLag || settings.EnsureEvenDistributionOfPartitions)
        {
            var upperBound = partitions;
            if (settings.EnsureEvenDistributionOfPartitions)
            {
                metric = NextFactor(metric, partitions, settings.LagThreshold) * settings.LagThreshold;
            }

            if (settings.LimitToPartitionsWithLag)
            {
                upperBound = partitionsWithLag;
            }

            // Integer division, as in Go: the cap bites only when a whole extra replica would be asked for.
            if (metric / settings.LagThreshold > upperBound)
            {
                metric = upperBound * settings.LagThreshold;
            }
        }

        return new LagReading(metric, total);
    }

    public static bool IsActive(LagReading reading, KafkaTriggerSettings settings) => reading.TotalLag > settings.ActivationLagThreshold;

    /// <summary>The smallest divisor of the partition count that covers the lag (ensureEvenDistributionOfPartitions).</summary>
    private static long NextFactor(long lag, long partitions, long threshold)
    {
        for (long factor = 1; factor <= partitions; factor++)
        {
            if (partitions % factor == 0 && factor * threshold >= lag)
            {
                return factor;
            }
        }

        return partitions;
    }
}
