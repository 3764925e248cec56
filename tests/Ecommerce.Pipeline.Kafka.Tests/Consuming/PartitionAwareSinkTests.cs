using Xunit.Abstractions;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.Kafka.Consuming;
using Ecommerce.Pipeline.Kafka.Embedded;

namespace Ecommerce.Pipeline.Kafka.Tests.Consuming;

/// <summary>
/// The consume loop tells a partition-aware sink of its assignments before it hands over their records, and of its
/// revoked partitions only after their last batch was stored and committed.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PartitionAwareSinkTests(ITestOutputHelper output) : IDisposable
{
    private const string Topic = EmbeddedKafkaCluster.TransactionsTopic;
    private readonly EmbeddedKafkaCluster _cluster = EmbeddedKafkaCluster.Start(brokers: 1, partitions: 6);
    private readonly IReadOnlyList<int> _partitions = [0, 1, 2, 3, 4, 5];

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public async Task Every_partition_is_announced_before_its_first_write()
    {
        KafkaTestKit.Produce(_cluster.BootstrapServers, Topic, ConsumingKit.Transactions(600));
        var sink = new RecordingPartitionSink(new MemorySink(), _cluster.BootstrapServers, "g-announce", _partitions);
        var processor = ConsumingKit.Processor(ConsumingKit.Options(_cluster.BootstrapServers, "g-announce"), sink);

        var summary = await processor.RunAsync(CancellationToken.None).WaitAsync(ConsumingKit.RunDeadline);

        Assert.Equal(600, summary.Stored);
        var events = sink.Events;
        foreach (var partition in _partitions)
        {
            var assigned = events.FindIndex(e => e.Kind == EventKind.Assigned && e.Partitions.Contains(partition));
            var firstWrite = events.FindIndex(e => e.Kind == EventKind.Written && e.Partitions.Contains(partition));
            Assert.True(assigned >= 0, $"partition {partition} was never announced");
            Assert.True(firstWrite > assigned, $"partition {partition} was written (event {firstWrite}) before it was announced (event {assigned})");
        }

        // The stop revokes everything (Close), after the last write, with the end offsets committed.
        var released = events.FindLastIndex(e => e.Kind == EventKind.Released);
        Assert.True(released > events.FindLastIndex(e => e.Kind == EventKind.Written));
        Assert.Equal(_partitions, events.Where(e => e.Kind == EventKind.Released).SelectMany(e => e.Partitions).Order());
        AssertCommittedBeforeRelease(events, new HashSet<int>());
    }

    [Fact]
    public async Task A_revoked_partition_is_released_after_its_last_write_is_committed()
    {
        var bootstrap = _cluster.BootstrapServers;
        KafkaTestKit.Produce(bootstrap, Topic, ConsumingKit.Transactions(600, 0));
        var store = new MemorySink();
        var sinkA = new RecordingPartitionSink(store, bootstrap, "g-release", _partitions);
        var sinkB = new RecordingPartitionSink(store, bootstrap, "g-release", _partitions);
        var options = ConsumingKit.Options(bootstrap, "g-release") with { UntilIdle = null, MaxBatchRecords = 25 };
        var logA = new TestOutputLogger(output, "A");
        var logB = new TestOutputLogger(output, "B");
        var a = ConsumingKit.Processor(options, sinkA, logger: logA);
        var b = ConsumingKit.Processor(options, sinkB, logger: logB);
        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();

        var runA = a.RunAsync(stopA.Token);
        KafkaTestKit.WaitUntil(() => a.Counters.AssignedPartitions == 6 && store.Stored > 0, TimeSpan.FromSeconds(30), "A owns everything");
        var runB = b.RunAsync(stopB.Token);
        KafkaTestKit.WaitUntil(() => a.Counters.AssignedPartitions is > 0 and < 6 && b.Counters.AssignedPartitions > 0
            && a.Counters.AssignedPartitions + b.Counters.AssignedPartitions == 6, TimeSpan.FromSeconds(60), "A and B share");
        KafkaTestKit.Produce(bootstrap, Topic, ConsumingKit.Transactions(600, 600));
        KafkaTestKit.WaitUntil(() => store.Stored == 1200, TimeSpan.FromSeconds(60), "every message stored");
        await stopB.CancelAsync();
        await runB.WaitAsync(ConsumingKit.RunDeadline);
        // Stopped only once the group settled: a commit sent while the group rebalances is refused (and retried), so
        // leaving in the middle of B's departure could release partitions whose last commit had not landed yet.
        KafkaTestKit.WaitUntil(() => a.Counters.AssignedPartitions == 6, TimeSpan.FromSeconds(60), "A owns everything again");
        await stopA.CancelAsync();
        await runA.WaitAsync(ConsumingKit.RunDeadline);

        Assert.Equal(ConsumingKit.Ids(1200).Order(), store.Rows.Keys.Order());
        // A gave some partitions to B while it was writing them: each release came after A's last write of it.
        Assert.Contains(sinkA.Events, e => e.Kind == EventKind.Released && e.Partitions.Count < 6);
        foreach (var (sink, log) in new[] { (sinkA, logA), (sinkB, logB) })
        {
            AssertOwnershipBrackets(sink.Events);
            // A partition lost (its session expired, as on a loaded machine) is released with nothing committed by
            // design; a revoked one only after its last write was committed.
            AssertCommittedBeforeRelease(sink.Events, log.LostPartitions);
        }

        Assert.Contains(sinkB.Events, e => e.Kind == EventKind.Written);
    }

    /// <summary>Every write of a partition falls between its assignment and its release.</summary>
    private static void AssertOwnershipBrackets(List<SinkEvent> events)
    {
        var owned = new HashSet<int>();
        foreach (var e in events)
        {
            switch (e.Kind)
            {
                case EventKind.Assigned:
                    owned.UnionWith(e.Partitions);
                    break;
                case EventKind.Released:
                    owned.ExceptWith(e.Partitions);
                    break;
                default:
                    Assert.True(e.Partitions.All(owned.Contains),
                        $"wrote partitions [{string.Join(", ", e.Partitions)}] while owning [{string.Join(", ", owned)}]");
                    break;
            }
        }
    }

    /// <summary>At each release, the group's commit of every released partition covers what was written of it.</summary>
    private static void AssertCommittedBeforeRelease(List<SinkEvent> events, IReadOnlySet<int> lost)
    {
        var written = new Dictionary<int, long>();
        foreach (var e in events)
        {
            if (e.Kind == EventKind.Written)
            {
                foreach (var (partition, offset) in e.MaxOffsets!)
                {
                    written[partition] = Math.Max(written.GetValueOrDefault(partition, -1), offset);
                }
            }
            else if (e.Kind == EventKind.Released)
            {
                foreach (var partition in e.Partitions.Where(p => written.ContainsKey(p) && !lost.Contains(p)))
                {
                    Assert.True(e.Committed![partition] >= written[partition] + 1,
                        $"partition {partition} released with commit {e.Committed[partition]} behind its written offset {written[partition]}");
                }
            }
        }
    }

    private enum EventKind
    {
        Assigned,
        Written,
        Released,
    }

    private sealed record SinkEvent(EventKind Kind, IReadOnlyCollection<int> Partitions,
        IReadOnlyDictionary<int, long>? MaxOffsets = null, IReadOnlyDictionary<int, long?>? Committed = null);

    /// <summary>Stores in a shared <see cref="MemorySink"/> and records what the loop told it, in order.</summary>
    private sealed class RecordingPartitionSink(MemorySink store, string bootstrap, string group, IReadOnlyList<int> partitions)
        : ITransactionSink, IPartitionAwareSink
    {
        private readonly List<SinkEvent> _events = [];

        public string Name => store.Name;

        public List<SinkEvent> Events
        {
            get
            {
                lock (_events)
                {
                    return [.. _events];
                }
            }
        }

        public Task PartitionsAssignedAsync(IReadOnlyCollection<int> assigned, CancellationToken cancellationToken)
        {
            Add(new SinkEvent(EventKind.Assigned, [.. assigned]));
            return Task.CompletedTask;
        }

        public Task PartitionsReleasedAsync(IReadOnlyCollection<int> released, CancellationToken cancellationToken)
        {
            // What the group has committed at this moment, read with another client.
            var committed = ConsumingKit.Committed(bootstrap, group, Topic, partitions);
            Add(new SinkEvent(EventKind.Released, [.. released], Committed: committed));
            return Task.CompletedTask;
        }

        public async Task<RowWriteResult> WriteRowsAsync(IReadOnlyList<TransactionRow> rows, CancellationToken cancellationToken)
        {
            var result = await store.WriteRowsAsync(rows, cancellationToken);
            var maxOffsets = rows.GroupBy(r => r.KafkaPartition).ToDictionary(g => g.Key, g => g.Max(r => r.KafkaOffset));
            Add(new SinkEvent(EventKind.Written, maxOffsets.Keys, maxOffsets));
            return result;
        }

        public Task WriteDeadLettersAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken) =>
            store.WriteDeadLettersAsync(deadLetters, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private void Add(SinkEvent e)
        {
            lock (_events)
            {
                _events.Add(e);
            }
        }
    }
}
