using Ecommerce.Pipeline.Kafka.Embedded;
using Ecommerce.Pipeline.Kafka.Producing;

namespace Ecommerce.Pipeline.Kafka.Tests.Producing;

public sealed class RetentionGuardTests
{
    [Theory]
    [InlineData(1_000L, null, null, 1_000L)]
    [InlineData(null, 60.0, 833.0, 49_980L)]
    [InlineData(10_000L, 60.0, 833.0, 10_000L)]
    [InlineData(100_000L, 10.0, 833.0, 8_330L)]
    public void The_plan_is_the_count_or_rate_times_duration_whichever_is_smaller(long? count, double? seconds, double? rate, long expected)
    {
        Assert.Equal(expected, RetentionGuard.PlannedMessages(count, seconds is { } s ? TimeSpan.FromSeconds(s) : null, rate));
    }

    [Fact]
    public void Runs_without_an_end_are_unbounded()
    {
        Assert.Null(RetentionGuard.PlannedMessages(null, null, 833));
        Assert.Null(RetentionGuard.PlannedMessages(null, TimeSpan.FromMinutes(1), null));
        Assert.Null(RetentionGuard.PlannedMessages(null, TimeSpan.FromMinutes(1), 0));

        var check = RetentionGuard.Check(6, plannedMessages: null);
        Assert.True(check.MayExceed);
        Assert.NotNull(check.Warning);
    }

    [Fact]
    public void A_plan_near_the_capacity_of_all_partitions_warns()
    {
        var capacity = 6L * EmbeddedKafkaCluster.RetainedMessagesPerPartition;

        var small = RetentionGuard.Check(6, 10_000);
        Assert.False(small.MayExceed);
        Assert.Null(small.Warning);
        Assert.Equal(capacity, small.Capacity);

        var big = RetentionGuard.Check(6, capacity);
        Assert.True(big.MayExceed);
        Assert.Contains(capacity.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), big.Warning, StringComparison.Ordinal);

        // The default `dev` run: 833/s for a minute into 6 partitions stays inside; for ten minutes it does not.
        Assert.False(RetentionGuard.Check(6, new ProduceOptions { Rate = 833, Duration = TimeSpan.FromMinutes(1) }).MayExceed);
        Assert.True(RetentionGuard.Check(6, new ProduceOptions { Rate = 833, Duration = TimeSpan.FromMinutes(10) }).MayExceed);
    }

    [Fact]
    public void A_custom_per_partition_limit_is_used()
    {
        Assert.True(RetentionGuard.Check(2, 1_000, retainedMessagesPerPartition: 500).MayExceed);
        Assert.False(RetentionGuard.Check(2, 100, retainedMessagesPerPartition: 500).MayExceed);
    }
}
