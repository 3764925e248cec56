using Confluent.Kafka;
using Ecommerce.Pipeline.Kafka.Consuming;
using Ecommerce.Pipeline.Kafka.Embedded;

namespace Ecommerce.Pipeline.Kafka.Tests.Consuming;

[Trait("Category", "Integration")]
public sealed class ConsumerLagReaderTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Lag_is_everything_produced_before_processing_and_zero_after()
    {
        using var cluster = EmbeddedKafkaCluster.Start(brokers: 1, partitions: 6);
        const string topic = EmbeddedKafkaCluster.TransactionsTopic;
        KafkaTestKit.Produce(cluster.BootstrapServers, topic, ConsumingKit.Transactions(240));
        using var reader = new ConsumerLagReader(cluster.BootstrapServers, "g-lag");

        var before = reader.Read(topic, Timeout);

        Assert.Equal(240, before.Total);
        Assert.Equal([0, 1, 2, 3, 4, 5], before.Partitions.Select(p => p.Partition));
        Assert.All(before.Partitions, p => Assert.Null(p.CommittedOffset));
        Assert.All(before.Partitions, p => Assert.Equal(p.LatestOffset, p.Lag));

        var processor = ConsumingKit.Processor(ConsumingKit.Options(cluster.BootstrapServers, "g-lag"), new MemorySink());
        await processor.RunAsync(CancellationToken.None).WaitAsync(ConsumingKit.RunDeadline);
        var after = await reader.ReadAsync(topic, Timeout);

        Assert.Equal(0, after.Total);
        Assert.All(after.Partitions, p => Assert.Equal(p.LatestOffset, p.CommittedOffset ?? 0));
        Assert.Equal(240, after.Partitions.Sum(p => p.LatestOffset));

        // A group that read nothing: per KEDA, one per partition with 'latest', none with scaleToZeroOnInvalidOffset.
        using var latest = new ConsumerLagReader(cluster.BootstrapServers, "g-none", AutoOffsetReset.Latest);
        Assert.Equal(6, latest.Read(topic, Timeout).Total);
        using var zero = new ConsumerLagReader(cluster.BootstrapServers, "g-none", AutoOffsetReset.Earliest, scaleToZeroOnInvalidOffset: true);
        Assert.Equal(0, zero.Read(topic, Timeout).Total);
    }

    [Theory]
    [InlineData(AutoOffsetReset.Earliest, false, 100L, 40L, 60L)]
    [InlineData(AutoOffsetReset.Earliest, false, 100L, null, 100L)]
    [InlineData(AutoOffsetReset.Latest, false, 100L, null, 1L)]
    [InlineData(AutoOffsetReset.Latest, true, 100L, null, 0L)]
    [InlineData(AutoOffsetReset.Earliest, true, 100L, null, 0L)]
    [InlineData(AutoOffsetReset.Latest, false, 100L, 100L, 0L)]
    [InlineData(AutoOffsetReset.Earliest, false, 100L, 120L, 0L)]
    public void Lag_per_partition_follows_keda(AutoOffsetReset policy, bool scaleToZero, long latest, long? committed, long expected)
    {
        Assert.Equal(expected, ConsumerLagReader.LagOf(latest, committed, policy, scaleToZero));
    }
}
