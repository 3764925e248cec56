using Confluent.Kafka;
using Ecommerce.Pipeline.Kafka;

namespace Ecommerce.Pipeline.Cli.Hosting;

/// <summary>
/// Fails fast with a clear message when the cluster is unreachable or the topic is missing; librdkafka clients
/// would otherwise retry quietly forever.
/// </summary>
internal static class KafkaPreflight
{
    /// <param name="bootstrapServers">The cluster.</param>
    /// <param name="topic">The topic that must exist.</param>
    /// <param name="timeout">Bound of the metadata request.</param>
    /// <param name="security">The same security as every other client of the verb (from its settings).</param>
    public static void Check(string bootstrapServers, string topic, TimeSpan timeout, KafkaSecurity security)
    {
        using var admin = new AdminClientBuilder(KafkaClientConfig.Admin(bootstrapServers, security: security))
            .SetLogHandler((_, _) => { })
            .SetErrorHandler((_, _) => { })
            .Build();
        Metadata metadata;
        try
        {
            // All topics, not just ours: asking for one by name can auto-create it on some brokers.
            metadata = admin.GetMetadata(timeout);
        }
        catch (KafkaException ex)
        {
            throw new RuntimeFailureException($"cannot reach Kafka at {bootstrapServers}: {ex.Error.Reason}");
        }

        var info = metadata.Topics.FirstOrDefault(t => t.Topic == topic);
        if (info is null || info.Error.Code == ErrorCode.UnknownTopicOrPart || info.Partitions.Count == 0)
        {
            throw new RuntimeFailureException($"topic '{topic}' does not exist on {bootstrapServers}");
        }

        if (info.Error.IsError)
        {
            throw new RuntimeFailureException($"topic '{topic}' on {bootstrapServers}: {info.Error.Reason}");
        }
    }
}
