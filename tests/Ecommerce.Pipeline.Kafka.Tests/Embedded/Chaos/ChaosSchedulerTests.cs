using Confluent.Kafka;
using Ecommerce.Pipeline.Kafka.Embedded;
using Ecommerce.Pipeline.Kafka.Embedded.Chaos;

namespace Ecommerce.Pipeline.Kafka.Tests.Embedded.Chaos;

/// <summary>Steps reach the running cluster, as a real client sees it.</summary>
[Trait("Category", "Integration")]
public sealed class ChaosSchedulerTests
{
    [Fact]
    public async Task Steps_are_applied_in_order_and_reported_with_their_time()
    {
        using var cluster = EmbeddedKafkaCluster.Start(brokers: 3, partitions: 4);
        var lines = new List<string>();
        var scheduler = new ChaosScheduler(cluster, ChaosSpec.Parse("0s:leader * 2;100ms:leader 3 1;200ms:down 3;300ms:up 3"),
            "g", line => { lock (lines) { lines.Add(line); } });

        await scheduler.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Collection(lines,
            l => Assert.Matches(@"^chaos \d+\.\ds: leader \* 2$", l),
            l => Assert.Matches(@"^chaos \d+\.\ds: leader 3 1$", l),
            l => Assert.Matches(@"^chaos \d+\.\ds: down 3$", l),
            l => Assert.Matches(@"^chaos \d+\.\ds: up 3$", l));
        Assert.EndsWith(": up 3", scheduler.LastFault, StringComparison.Ordinal);

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        var topic = admin.GetMetadata(EmbeddedKafkaCluster.TransactionsTopic, TimeSpan.FromSeconds(10)).Topics.Single();
        Assert.Equal([2, 2, 2, 1], topic.Partitions.OrderBy(p => p.PartitionId).Select(p => p.Leader));
    }

    [Fact]
    public void Pushed_request_errors_are_what_the_client_gets()
    {
        using var cluster = EmbeddedKafkaCluster.Start(brokers: 1, partitions: 1);
        var scheduler = new ChaosScheduler(cluster, ChaosSpec.Parse("0s:topic-error UNKNOWN_TOPIC_OR_PARTITION"), "g", _ => { });
        scheduler.Apply(ChaosSpec.Parse("0s:topic-error UNKNOWN_TOPIC_OR_PARTITION").Steps[0]);

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        var topic = admin.GetMetadata(EmbeddedKafkaCluster.TransactionsTopic, TimeSpan.FromSeconds(10)).Topics.Single();
        Assert.Equal(ErrorCode.UnknownTopicOrPart, topic.Error.Code);

        scheduler.Apply(ChaosSpec.Parse("0s:topic-error NO_ERROR").Steps[0]);
        topic = admin.GetMetadata(EmbeddedKafkaCluster.TransactionsTopic, TimeSpan.FromSeconds(10)).Topics.Single();
        Assert.False(topic.Error.IsError);
    }
}
