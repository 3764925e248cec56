using System.Diagnostics;
using Confluent.Kafka;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Kafka.Consuming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ecommerce.Pipeline.Kafka.Backfill;

/// <summary>
/// Reads the messages of a topic whose timestamps fall in a <see cref="BackfillWindow"/>, partition by partition,
/// with a manually assigned consumer: it never subscribes, so it never joins a group or triggers a rebalance of the
/// live processor, and it never commits, so no group's offsets move.
/// </summary>
/// <remarks>
/// <para>Start: per partition, the first offset whose timestamp is ≥ the window start, from <c>OffsetsForTimes</c>.
/// When the broker answers End (−1) although the partition's last message is at or after the window start, it did
/// not actually resolve the lookup: librdkafka's mock cluster (the embedded broker) answers −1 to every timestamp
/// lookup. Then the start is found by a binary search over [low, high) that reads single messages. Like the broker's
/// own lookup, the search assumes timestamps grow with offsets; with out-of-order CreateTime it finds a boundary,
/// not necessarily the first.</para>
/// <para>End: a partition is done at the high watermark captured when the plan was made (or the live group's committed
/// offset, see <see cref="BackfillOptions.LiveGroupId"/>), or at the first message whose timestamp reaches
/// <c>To + </c><see cref="BackfillOptions.LateArrivalGrace"/>, whichever comes first. Only messages with
/// From ≤ timestamp &lt; To are passed on.</para>
/// <para>Not thread-safe: one thread plans and reads.</para>
/// </remarks>
public sealed class KafkaRangeReader : IDisposable
{
    private static readonly TimeSpan PollWait = TimeSpan.FromMilliseconds(200);

    private readonly BackfillOptions _options;
    private readonly ILogger _logger;
    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private int _probes;

    public KafkaRangeReader(BackfillOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _consumer = Build();
    }

    /// <summary>Finds each partition's watermarks and first offset at or after the window start.</summary>
    /// <exception cref="KafkaException">The topic does not exist or the broker cannot be reached.</exception>
    public IReadOnlyList<PartitionPlan> Plan(CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var probesBefore = _probes;
        var topic = _options.Topic;
        var window = _options.Window;
        var timeout = _options.RequestTimeout;
        var partitions = Partitions();

        var marks = new Dictionary<int, WatermarkOffsets>();
        foreach (var p in partitions)
        {
            cancellationToken.ThrowIfCancellationRequested();
            marks[p] = _consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), timeout);
        }

        var fromBroker = LookUpByTime(partitions.Where(p => marks[p].High.Value > marks[p].Low.Value));
        var plans = new List<PartitionPlan>(partitions.Count);
        var searched = 0;
        foreach (var p in partitions)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var low = marks[p].Low.Value;
            var high = marks[p].High.Value;
            PartitionPlan plan;
            if (high <= low)
            {
                plan = new PartitionPlan(p, low, high, high, StartLookup.Empty);
            }
            else if (fromBroker.TryGetValue(p, out var offset) && !offset.IsSpecial)
            {
                plan = new PartitionPlan(p, low, high, Math.Clamp(offset.Value, low, high), StartLookup.Broker);
            }
            else if (Probe(p, high - 1, cancellationToken) is not { } last || last.TimestampMs < window.FromMs)
            {
                // End is also the broker's correct answer when every message is older than the window start.
                plan = new PartitionPlan(p, low, high, high, StartLookup.AllBefore);
            }
            else
            {
                searched++;
                plan = new PartitionPlan(p, low, high, SearchStart(p, low, high - 1, cancellationToken), StartLookup.Search);
            }

            plans.Add(plan);
        }

        plans = CapAtLiveGroup(plans);
        foreach (var plan in plans)
        {
            BackfillLog.Planned(_logger, topic, window.From, window.To, plan.Partition, plan.Low, plan.High, plan.Start, plan.FoundBy);
            if (plan.LeftToLive > 0)
            {
                BackfillLog.LeftToLive(_logger, plan.Partition, _options.LiveGroupId!, plan.LiveCommitted, plan.LeftToLive);
            }
        }

        if (searched > 0)
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            BackfillLog.SearchFallback(_logger, searched, _probes - probesBefore, elapsed);
        }

        return plans;
    }

    /// <summary>Each plan ends at the live group's committed offset, when a live group is given.</summary>
    private List<PartitionPlan> CapAtLiveGroup(List<PartitionPlan> plans)
    {
        if (_options.LiveGroupId is not { } group)
        {
            return plans;
        }

        // A consumer handle with the live group's id that never subscribes: it reads the group's committed offsets
        // (OffsetFetch) without joining the group, and commits nothing.
        using var live = new ConsumerLagReader(_options.BootstrapServers, group, security: _options.Security);
        var committed = live.Read(_options.Topic, _options.RequestTimeout).Partitions
            .ToDictionary(p => p.Partition, p => p.CommittedOffset);
        return [.. plans.Select(p => p with { CappedAtLiveGroup = true, LiveCommitted = committed.GetValueOrDefault(p.Partition) })];
    }

    /// <summary>
    /// Reads every planned partition from its start and hands the in-window messages on in batches of at most
    /// <see cref="BackfillOptions.MaxBatchRecords"/> (<paramref name="onBatch"/> may keep the list). With a null
    /// <paramref name="onBatch"/> it only counts (a dry run). Returns the counts per partition.
    /// </summary>
    public IReadOnlyList<PartitionCount> Read(IReadOnlyList<PartitionPlan> plan, Action<List<RawRecord>>? onBatch,
        BackfillCounters? counters = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        counters ??= new BackfillCounters();
        var topic = _options.Topic;
        var window = _options.Window;
        var stopAtMs = window.ToMs + (long)_options.LateArrivalGrace.TotalMilliseconds;
        var read = plan.ToDictionary(p => p.Partition, _ => 0L);
        var inWindow = plan.ToDictionary(p => p.Partition, _ => 0L);
        var active = plan.Where(p => p.Start < p.End).ToDictionary(p => p.Partition);
        Interlocked.Exchange(ref counters._toRead, active.Values.Sum(p => p.MaxToRead));
        Interlocked.Exchange(ref counters._leftToLive, plan.Sum(p => p.LeftToLive));

        var batch = onBatch is null ? null : new List<RawRecord>(Math.Min(_options.MaxBatchRecords, 4096));
        if (active.Count > 0)
        {
            _consumer.Assign(active.Values.Select(p => new TopicPartitionOffset(topic, p.Partition, p.Start)));
        }

        while (active.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ConsumeResult<byte[]?, byte[]?>? result;
            try
            {
                result = _consumer.Consume(PollWait);
            }
            catch (ConsumeException ex) when (!ex.Error.IsFatal)
            {
                BackfillLog.ConsumeError(_logger, ex.Error.Code, ex.Error.Reason);
                continue;
            }

            if (result is null || !active.TryGetValue(result.Partition.Value, out var partition))
            {
                continue;
            }

            if (result.IsPartitionEOF || result.Offset.Value >= partition.End)
            {
                Finish(active, partition);
                continue;
            }

            read[partition.Partition]++;
            Interlocked.Increment(ref counters._read);
            var timestamp = TimestampMs(result.Message);
            if (window.Contains(timestamp))
            {
                inWindow[partition.Partition]++;
                Interlocked.Increment(ref counters._inWindow);
                if (batch is not null)
                {
                    var message = result.Message;
                    batch.Add(new RawRecord(message.Key ?? ReadOnlyMemory<byte>.Empty, message.Value ?? ReadOnlyMemory<byte>.Empty,
                        result.Topic, partition.Partition, result.Offset.Value, DateTimeOffset.FromUnixTimeMilliseconds(timestamp)));
                    if (batch.Count >= _options.MaxBatchRecords)
                    {
                        onBatch!(batch);
                        batch = new List<RawRecord>(Math.Min(_options.MaxBatchRecords, 4096));
                    }
                }
            }

            if (timestamp >= stopAtMs || result.Offset.Value + 1 >= partition.End)
            {
                Finish(active, partition);
            }
        }

        if (batch is { Count: > 0 })
        {
            onBatch!(batch);
        }

        return [.. plan.Select(p => new PartitionCount(p.Partition, read[p.Partition], inWindow[p.Partition]))];
    }

    public void Dispose()
    {
        // Close would leave a group; this consumer never joined one, so only the handle is released.
        _consumer.Dispose();
    }

    private IConsumer<byte[]?, byte[]?> Build()
    {
        var config = KafkaClientConfig.Consumer(_options.BootstrapServers, _options.GroupId, "ecommerce-pipeline-backfill", _options.Security);
        // Belt and braces: nothing here commits, and the consumer never subscribes, so the group is never joined.
        config.EnableAutoCommit = false;
        config.EnableAutoOffsetStore = false;
        // End-of-partition events end a partition whose tail offsets hold no message (e.g. transaction markers).
        config.EnablePartitionEof = true;
        // A probe that reaches a partition's end leaves a fetch waiting at the broker, and the next probe's fetch on
        // that broker queues behind it: the default 100 ms wait made each probe of a small partition ~80 ms.
        config.FetchWaitMaxMs = 10;
        if (_options.ConsumerSettings is { } settings)
        {
            foreach (var (key, value) in settings)
            {
                config.Set(key, value);
            }
        }

        return new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetLogHandler((_, _) => { })
            .Build();
    }

    private void Finish(Dictionary<int, PartitionPlan> active, PartitionPlan partition)
    {
        active.Remove(partition.Partition);
        // Stop fetching it; the rest of the assignment keeps its positions.
        _consumer.Pause([new TopicPartition(_options.Topic, partition.Partition)]);
    }

    private List<int> Partitions()
    {
        using var admin = new DependentAdminClientBuilder(_consumer.Handle).Build();
        // All topics rather than ours by name: a lookup by name auto-creates the topic on some brokers.
        var metadata = admin.GetMetadata(_options.RequestTimeout);
        var topic = metadata.Topics.FirstOrDefault(t => t.Topic == _options.Topic);
        if (topic is null || topic.Partitions.Count == 0)
        {
            throw new KafkaException(new Error(ErrorCode.UnknownTopicOrPart, $"topic '{_options.Topic}' does not exist"));
        }

        if (topic.Error.IsError)
        {
            throw new KafkaException(topic.Error);
        }

        return [.. topic.Partitions.Select(p => p.PartitionId).Order()];
    }

    private Dictionary<int, Offset> LookUpByTime(IEnumerable<int> partitions)
    {
        var query = partitions
            .Select(p => new TopicPartitionTimestamp(_options.Topic, p, new Timestamp(_options.Window.FromMs, TimestampType.CreateTime)))
            .ToList();
        if (query.Count == 0)
        {
            return [];
        }

        try
        {
            return _consumer.OffsetsForTimes(query, _options.RequestTimeout)
                .Where(r => r.Topic == _options.Topic)
                .ToDictionary(r => r.Partition.Value, r => r.Offset);
        }
        catch (KafkaException ex)
        {
            // Not fatal for the backfill: every partition falls back to the search, which needs only Fetch.
            BackfillLog.OffsetsForTimesFailed(_logger, ex.Error.Reason);
            return [];
        }
    }

    /// <summary>The smallest offset in [lo, hi] whose message is at or after the window start; the message at hi is.</summary>
    private long SearchStart(int partition, long lo, long hi, CancellationToken cancellationToken)
    {
        var fromMs = _options.Window.FromMs;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            // The first message at or after mid (offsets may have gaps); none means the log was truncated under us.
            if (Probe(partition, mid, cancellationToken) is not { } found || found.Offset >= hi || found.TimestampMs >= fromMs)
            {
                hi = mid;
            }
            else
            {
                lo = found.Offset + 1;
            }
        }

        return lo;
    }

    /// <summary>Reads the first message at or after <paramref name="offset"/>: its offset and timestamp, or null at the end.</summary>
    private (long Offset, long TimestampMs)? Probe(int partition, long offset, CancellationToken cancellationToken)
    {
        // Probes use the reading consumer (measured: a separate one tuned for single reads, with
        // queued.min.messages=1 and fetch.wait.max.ms=10, made each probe ~10× slower on the embedded broker).
        _probes++;
        // Assign replaces the previous probe's assignment, and librdkafka drops messages fetched for it.
        _consumer.Assign(new TopicPartitionOffset(_options.Topic, partition, offset));
        var deadline = Stopwatch.GetTimestamp() + (long)(_options.RequestTimeout.TotalSeconds * Stopwatch.Frequency);
        try
        {
            while (Stopwatch.GetTimestamp() < deadline)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var result = _consumer.Consume(PollWait);
                if (result is null || result.Partition.Value != partition)
                {
                    continue;
                }

                if (result.IsPartitionEOF)
                {
                    return null;
                }

                if (result.Offset.Value >= offset)
                {
                    return (result.Offset.Value, TimestampMs(result.Message));
                }
            }
        }
        finally
        {
            _consumer.Unassign();
        }

        throw new TimeoutException($"Reading offset {offset} of {_options.Topic}/{partition} took longer than {_options.RequestTimeout}.");
    }

    /// <summary>A message without a timestamp (very old clients) sorts before every window.</summary>
    private static long TimestampMs(Message<byte[]?, byte[]?> message) =>
        message.Timestamp.Type == TimestampType.NotAvailable ? long.MinValue : message.Timestamp.UnixTimestampMs;
}
