using Confluent.Kafka;

namespace Ecommerce.Pipeline.Kafka.Consuming;

/// <summary>Lag of one partition.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition id.</param>
/// <param name="LatestOffset">The partition's high watermark (next offset to be written).</param>
/// <param name="CommittedOffset">The group's committed offset, or null when it has none.</param>
/// <param name="Lag">Messages the group still has to process, as KEDA counts them.</param>
public sealed record PartitionLag(string Topic, int Partition, long LatestOffset, long? CommittedOffset, long Lag);

/// <summary>Lag of a consumer group on one topic, per partition and in total.</summary>
public sealed record ConsumerLag(string Topic, string GroupId, IReadOnlyList<PartitionLag> Partitions)
{
    public long Total => Partitions.Sum(p => p.Lag);
}

/// <summary>
/// Reads a consumer group's lag the way KEDA's Kafka scaler computes it: per partition, latest offset − committed
/// offset. A partition without a committed offset counts by the offset reset policy: with <c>latest</c> as 1 (so a
/// scaler keeps one consumer), with <c>earliest</c> as the latest offset (KEDA uses the high watermark itself, not
/// high − low); either as 0 with <c>scaleToZeroOnInvalidOffset</c>. Negative values (a commit read before the
/// watermark caught up) count as 0.
/// </summary>
/// <remarks>
/// Uses its own consumer handle with the group id that never subscribes, so it neither joins the group nor
/// disturbs its members; plus an admin client on the same connection for partition metadata. Thread-safe.
/// </remarks>
public sealed class ConsumerLagReader : IDisposable
{
    private readonly IConsumer<Ignore, Ignore> _consumer;
    private readonly IAdminClient _admin;
    private readonly AutoOffsetReset _offsetResetPolicy;
    private readonly bool _scaleToZeroOnInvalidOffset;
    private readonly Lock _gate = new();

    public ConsumerLagReader(string bootstrapServers, string groupId = KafkaClientConfig.DefaultConsumerGroup,
        AutoOffsetReset offsetResetPolicy = AutoOffsetReset.Earliest, bool scaleToZeroOnInvalidOffset = false,
        KafkaSecurity? security = null)
    {
        if (offsetResetPolicy is not (AutoOffsetReset.Earliest or AutoOffsetReset.Latest))
        {
            throw new ArgumentOutOfRangeException(nameof(offsetResetPolicy), offsetResetPolicy,
                "KEDA knows only 'earliest' and 'latest'.");
        }

        GroupId = groupId;
        _offsetResetPolicy = offsetResetPolicy;
        _scaleToZeroOnInvalidOffset = scaleToZeroOnInvalidOffset;
        var config = KafkaClientConfig.Consumer(bootstrapServers, groupId, "ecommerce-pipeline-lag-reader", security);
        // Lag is advisory: its client's reconnect attempts are not worth a stderr line each (librdkafka's default).
        _consumer = new ConsumerBuilder<Ignore, Ignore>(config).SetLogHandler(static (_, _) => { }).Build();
        _admin = new DependentAdminClientBuilder(_consumer.Handle).Build();
    }

    public string GroupId { get; }

    /// <summary>Reads the lag of every partition of <paramref name="topic"/>; each broker request waits at most <paramref name="timeout"/>.</summary>
    public ConsumerLag Read(string topic, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        lock (_gate)
        {
            var metadata = _admin.GetMetadata(topic, timeout).Topics.SingleOrDefault(t => t.Topic == topic)
                ?? throw new KafkaException(ErrorCode.UnknownTopicOrPart);
            if (metadata.Error.IsError)
            {
                throw new KafkaException(metadata.Error);
            }

            var partitions = metadata.Partitions.Select(p => new TopicPartition(topic, p.PartitionId))
                .OrderBy(tp => tp.Partition.Value).ToList();
            var committed = _consumer.Committed(partitions, timeout)
                .ToDictionary(c => c.Partition.Value, c => c.Offset);

            var lags = new List<PartitionLag>(partitions.Count);
            foreach (var tp in partitions)
            {
                var latest = _consumer.QueryWatermarkOffsets(tp, timeout).High.Value;
                long? commit = committed.TryGetValue(tp.Partition.Value, out var c) && !c.IsSpecial ? c.Value : null;
                lags.Add(new PartitionLag(topic, tp.Partition.Value, latest, commit,
                    LagOf(latest, commit, _offsetResetPolicy, _scaleToZeroOnInvalidOffset)));
            }

            return new ConsumerLag(topic, GroupId, lags);
        }
    }

    /// <inheritdoc cref="Read"/>
    public Task<ConsumerLag> ReadAsync(string topic, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Task.Run(() => Read(topic, timeout), cancellationToken);

    internal static long LagOf(long latest, long? committed, AutoOffsetReset offsetResetPolicy, bool scaleToZeroOnInvalidOffset)
    {
        if (committed is { } offset)
        {
            return Math.Max(0, latest - offset);
        }

        if (scaleToZeroOnInvalidOffset)
        {
            return 0;
        }

        return offsetResetPolicy == AutoOffsetReset.Latest ? 1 : latest;
    }

    public void Dispose()
    {
        _admin.Dispose();
        _consumer.Dispose();
    }
}
