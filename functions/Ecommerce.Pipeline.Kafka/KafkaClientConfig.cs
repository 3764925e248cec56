using Confluent.Kafka;
using Ecommerce.Pipeline.Core.Configuration;

namespace Ecommerce.Pipeline.Kafka;

/// <summary>
/// The project's Kafka client defaults, in one place so the producer, the processor and the dead-letter
/// publisher agree. Callers may adjust the returned object (it is a fresh instance each time).
/// </summary>
/// <remarks>
/// Every config carries the cluster's security (<see cref="KafkaSecurity"/>) that the caller passes in, read once by
/// the host from its settings (docs/contract.md, Settings). Nothing here reads the process environment: without a
/// security the client speaks plaintext, which is what the embedded broker and the tests' clusters speak.
/// </remarks>
public static class KafkaClientConfig
{
    public const string DefaultConsumerGroup = Defaults.ConsumerGroup;

    /// <summary>
    /// Idempotent, acks=all producer: a retried batch is never written twice and an acknowledged message
    /// is on every in-sync replica. lz4 because it is cheap on CPU and the embedded broker stores batches
    /// as sent, so compression also stretches its fixed per-partition byte budget.
    /// </summary>
    public static ProducerConfig Producer(
        string bootstrapServers, string clientId = "ecommerce-pipeline-producer", KafkaSecurity? security = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bootstrapServers);
        return Secured(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            ClientId = clientId,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            CompressionType = CompressionType.Lz4,
            // Fail a stuck delivery in bounded time instead of librdkafka's default 5 minutes.
            MessageTimeoutMs = 60_000,
            // Let a burst queue up rather than throw QueueFull at the caller.
            QueueBufferingMaxMessages = 1_000_000,
        }, security);
    }

    /// <summary>
    /// Consumer in a group with cooperative-sticky assignment (rebalances do not stop the other partitions),
    /// manual commits and manual offset stores so nothing is committed before it is stored in the sink.
    /// </summary>
    public static ConsumerConfig Consumer(
        string bootstrapServers,
        string groupId = DefaultConsumerGroup,
        string clientId = "ecommerce-pipeline-consumer",
        KafkaSecurity? security = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bootstrapServers);
        ArgumentException.ThrowIfNullOrWhiteSpace(groupId);
        return Secured(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = groupId,
            ClientId = clientId,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            // A dead member is noticed in 10 s rather than 45 s. On the embedded broker this also bounds the
            // wait of a member joining a group whose last member just left (session timeout − 1 s).
            SessionTimeoutMs = 10_000,
            HeartbeatIntervalMs = 2_000,
            // Larger fetches for throughput, but answer within 100 ms when the topic is quiet.
            FetchWaitMaxMs = 100,
            FetchMinBytes = 1,
            MaxPartitionFetchBytes = 4 * 1024 * 1024,
            FetchMaxBytes = 32 * 1024 * 1024,
            QueuedMaxMessagesKbytes = 64 * 1024,
        }, security);
    }

    /// <summary>Admin client (metadata, topic checks) for the same cluster, with the same security.</summary>
    public static AdminClientConfig Admin(
        string bootstrapServers, string clientId = "ecommerce-pipeline-admin", KafkaSecurity? security = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bootstrapServers);
        return Secured(new AdminClientConfig { BootstrapServers = bootstrapServers, ClientId = clientId }, security);
    }

    private static T Secured<T>(T config, KafkaSecurity? security)
        where T : ClientConfig
    {
        (security ?? KafkaSecurity.Plaintext).ApplyTo(config);
        return config;
    }
}
