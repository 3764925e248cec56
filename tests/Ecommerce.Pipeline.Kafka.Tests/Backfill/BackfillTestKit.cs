using Confluent.Kafka;
using Ecommerce.Pipeline.Kafka.Backfill;
using Ecommerce.Pipeline.Kafka.Embedded;

namespace Ecommerce.Pipeline.Kafka.Tests.Backfill;

/// <summary>Produces messages at chosen partitions and Kafka timestamps, and builds reader options for a window.</summary>
internal static class BackfillTestKit
{
    /// <summary>A fixed instant on whole seconds, so test windows can name exact message timestamps.</summary>
    public static readonly DateTimeOffset Base = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    public static long Ms(TimeSpan offset) => (Base + offset).ToUnixTimeMilliseconds();

    /// <summary>Produces (in order) and waits for every acknowledgement; returns each message's offset.</summary>
    public static IReadOnlyList<long> Produce(string bootstrapServers, string topic,
        IEnumerable<(int Partition, long TimestampMs, string Value)> messages)
    {
        using var producer = new ProducerBuilder<string?, string>(KafkaClientConfig.Producer(bootstrapServers, "backfill-test")).Build();
        var offsets = new List<long>();
        foreach (var (partition, timestampMs, value) in messages)
        {
            // Synchronous per message keeps the offsets in the order given (the test data is small).
            var report = producer.ProduceAsync(new TopicPartition(topic, partition), new Message<string?, string>
            {
                Value = value,
                Timestamp = new Timestamp(timestampMs, TimestampType.CreateTime),
            }).GetAwaiter().GetResult();
            offsets.Add(report.Offset.Value);
        }

        return offsets;
    }

    public static BackfillOptions Options(EmbeddedKafkaCluster cluster, string topic, DateTimeOffset from, DateTimeOffset to,
        TimeSpan? grace = null, int batchSize = 1000) => new()
    {
        BootstrapServers = cluster.BootstrapServers,
        Topic = topic,
        Window = new BackfillWindow(from, to),
        LateArrivalGrace = grace ?? TimeSpan.Zero,
        MaxBatchRecords = batchSize,
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        RetryMaxDelay = TimeSpan.FromMilliseconds(100),
    };

    /// <summary>Plans and reads; returns the plan and every in-window record as (partition, offset).</summary>
    public static (IReadOnlyList<PartitionPlan> Plan, List<(int Partition, long Offset)> Records, IReadOnlyList<PartitionCount> Counts)
        PlanAndRead(BackfillOptions options)
    {
        using var reader = new KafkaRangeReader(options);
        var plan = reader.Plan();
        var records = new List<(int, long)>();
        var counts = reader.Read(plan, batch => records.AddRange(batch.Select(r => (r.Partition, r.Offset))));
        return (plan, records, counts);
    }
}
