using System.Text;
using Confluent.Kafka;
using Ecommerce.Pipeline.Kafka;

namespace Ecommerce.Pipeline.TestSupport;

/// <summary>Every value a topic holds, read from the beginning of each partition to its high watermark (no group).</summary>
public static class TopicContents
{
    public static HashSet<string> Read(string bootstrapServers, string topic, TimeSpan timeout)
    {
        var config = KafkaClientConfig.Consumer(bootstrapServers, "topic-contents-reader");
        config.EnableAutoCommit = false;
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(config).SetLogHandler(static (_, _) => { }).Build();
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var partitions = admin.GetMetadata(topic, timeout).Topics.Single().Partitions
            .Select(p => new TopicPartition(topic, new Partition(p.PartitionId))).ToList();
        var ends = partitions.ToDictionary(p => p.Partition.Value, p => consumer.QueryWatermarkOffsets(p, timeout).High.Value);
        consumer.Assign(partitions.Select(p => new TopicPartitionOffset(p, Offset.Beginning)));
        var values = new HashSet<string>(StringComparer.Ordinal);
        var positions = partitions.ToDictionary(p => p.Partition.Value, _ => 0L);
        var deadline = DateTime.UtcNow + timeout;
        while (positions.Any(p => p.Value < ends[p.Key]))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{topic} was not read to its end within {timeout}.");
            }

            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { Message: { } message } result)
            {
                values.Add(Encoding.UTF8.GetString(message.Value));
                positions[result.Partition.Value] = result.Offset.Value + 1;
            }
        }

        consumer.Close();
        return values;
    }
}
