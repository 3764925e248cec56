using Xunit.Abstractions;
using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.Kafka.Consuming;
using Ecommerce.Pipeline.Kafka.Embedded;
using Ecommerce.Pipeline.Kafka.Embedded.Chaos;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ecommerce.Pipeline.Kafka.Tests.Consuming;

/// <summary>The consume loop against the embedded Kafka-protocol cluster over TCP.</summary>
[Trait("Category", "Integration")]
public sealed class StreamProcessorTests(ITestOutputHelper output) : IDisposable
{
    private const string Topic = EmbeddedKafkaCluster.TransactionsTopic;
    private readonly EmbeddedKafkaCluster _cluster = EmbeddedKafkaCluster.Start(brokers: 1, partitions: 6);
    private readonly IReadOnlyList<int> _partitions = [0, 1, 2, 3, 4, 5];

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public async Task Stores_every_message_once_and_commits_the_end_offsets()
    {
        KafkaTestKit.Produce(_cluster.BootstrapServers, Topic, ConsumingKit.Transactions(1000));
        var sink = new MemorySink();
        var processor = ConsumingKit.Processor(ConsumingKit.Options(_cluster.BootstrapServers, "g-all"), sink);

        var summary = await processor.RunAsync(CancellationToken.None).WaitAsync(ConsumingKit.RunDeadline);

        Assert.Equal(StreamProcessorStopReason.Idle, summary.Reason);
        Assert.Equal(1000, summary.Consumed);
        Assert.Equal(1000, summary.Stored);
        Assert.Equal(0, summary.DeadLetters);
        Assert.Equal(ConsumingKit.Ids(1000).Order(), sink.Rows.Keys.Order());
        var end = ConsumingKit.EndOffsets(_cluster.BootstrapServers, Topic, _partitions);
        var committed = ConsumingKit.Committed(_cluster.BootstrapServers, "g-all", Topic, _partitions);
        Assert.All(_partitions, p => Assert.Equal(end[p], committed[p] ?? 0));
        Assert.Equal(1000, end.Values.Sum());
    }

    [Fact]
    public async Task Forms_batches_by_count_and_turns_a_null_value_into_an_empty_one()
    {
        using (var producer = new ProducerBuilder<byte[]?, byte[]?>(KafkaClientConfig.Producer(_cluster.BootstrapServers)).Build())
        {
            for (var i = 0; i < 50; i++)
            {
                producer.Produce(new TopicPartition(Topic, 0), new Message<byte[]?, byte[]?>
                {
                    Key = Encoding.UTF8.GetBytes($"k{i}"),
                    Value = i == 7 ? null : Encoding.UTF8.GetBytes($"v{i}"),
                });
            }

            producer.Flush(TimeSpan.FromSeconds(30));
        }

        var batches = new ConcurrentQueue<RawRecord[]>();
        var options = ConsumingKit.Options(_cluster.BootstrapServers, "g-batches") with { MaxBatchRecords = 7, MaxBatchWait = TimeSpan.FromSeconds(1) };
        var processor = new StreamProcessor(options, (records, _) =>
        {
            batches.Enqueue([.. records]);
            return Task.FromResult(new BatchOutcome(records.Count, records.Count, 0, 0, DateTimeOffset.UtcNow));
        }, "fake", NullLogger.Instance);

        var summary = await processor.RunAsync(CancellationToken.None).WaitAsync(ConsumingKit.RunDeadline);

        var all = batches.SelectMany(b => b).ToList();
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), all.Select(r => r.Offset));
        Assert.All(batches, b => Assert.InRange(b.Length, 1, 7));
        Assert.Equal(8, batches.Count); // 7 full batches of 7, then the last one by time
        Assert.True(all[7].Value.IsEmpty);
        Assert.Equal("k7", Encoding.UTF8.GetString(all[7].Key.Span));
        Assert.Equal("v8", Encoding.UTF8.GetString(all[8].Value.Span));
        Assert.All(all, r => Assert.Equal((Topic, 0), (r.Topic, r.Partition)));
        Assert.All(all, r => Assert.InRange(r.Timestamp, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow));
        Assert.Equal(50, summary.Consumed);
        Assert.Equal(50, ConsumingKit.Committed(_cluster.BootstrapServers, "g-batches", Topic, [0])[0]);
    }

    [Fact]
    public async Task A_failing_sink_is_retried_and_nothing_is_committed_before_it_succeeds()
    {
        KafkaTestKit.Produce(_cluster.BootstrapServers, Topic, ConsumingKit.Transactions(300));
        const int failures = 4;
        var committedDuringFailures = new ConcurrentQueue<long?>();
        var sink = new MemorySink();
        sink.BeforeWrite = (attempt, _) =>
        {
            if (attempt > failures)
            {
                return Task.CompletedTask;
            }

            foreach (var offset in ConsumingKit.Committed(_cluster.BootstrapServers, "g-retry", Topic, _partitions).Values)
            {
                committedDuringFailures.Enqueue(offset);
            }

            throw new IOException($"warehouse unavailable (attempt {attempt})");
        };
        var metrics = new CountingMetrics();
        var processor = ConsumingKit.Processor(ConsumingKit.Options(_cluster.BootstrapServers, "g-retry") with { MaxBatchRecords = 500 }, sink, metrics);

        var summary = await processor.RunAsync(CancellationToken.None).WaitAsync(ConsumingKit.RunDeadline);

        Assert.Equal(failures * _partitions.Count, committedDuringFailures.Count);
        Assert.All(committedDuringFailures, Assert.Null);
        Assert.Equal(failures, metrics.SinkRetries);
        Assert.Equal(failures, summary.SinkRetries);
        Assert.Equal(300, summary.Stored);
        Assert.Equal(ConsumingKit.Ids(300).Order(), sink.Rows.Keys.Order());
        var end = ConsumingKit.EndOffsets(_cluster.BootstrapServers, Topic, _partitions);
        var committed = ConsumingKit.Committed(_cluster.BootstrapServers, "g-retry", Topic, _partitions);
        Assert.All(_partitions, p => Assert.Equal(end[p], committed[p] ?? 0));
    }

    [Fact]
    public async Task A_slow_sink_pauses_the_consumer_and_bounds_the_records_held_in_memory()
    {
        KafkaTestKit.Produce(_cluster.BootstrapServers, Topic, ConsumingKit.Transactions(3000));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sink = new MemorySink { BeforeWrite = (_, ct) => release.Task.WaitAsync(ct) };
        var options = ConsumingKit.Options(_cluster.BootstrapServers, "g-slow") with { MaxBatchRecords = 20, MaxInFlightBatches = 2 };
        var processor = ConsumingKit.Processor(options, sink, logger: new TestOutputLogger(output, "slow"));
        var bound = (options.MaxInFlightBatches + 2) * options.MaxBatchRecords;

        var run = processor.RunAsync(CancellationToken.None);
        KafkaTestKit.WaitUntil(() => processor.Counters.IsPaused, TimeSpan.FromSeconds(30), "the consumer pauses");
        var consumedWhilePaused = processor.Counters.Consumed;
        // Paused, yet still polling: the group keeps it; the sink sees only the first batch.
        KafkaTestKit.WaitUntil(() => sink.Attempts == 1 && processor.Counters.AssignedPartitions == 6,
            TimeSpan.FromSeconds(5), "one write in progress");
        Assert.InRange(consumedWhilePaused, 1, bound);
        Assert.InRange(processor.Counters.BufferedRecords, 1, bound);
        // The sink blocks for 10 s, longer than UntilIdle: time spent paused must not count as "no message arrived",
        // and nothing more is read into memory meanwhile.
        var stall = TimeSpan.FromSeconds(10);
        Assert.True(stall > options.UntilIdle!.Value);
        var pausedFor = System.Diagnostics.Stopwatch.StartNew();
        KafkaTestKit.WaitUntil(() => pausedFor.Elapsed > stall, stall + TimeSpan.FromSeconds(10), "a 10 s sink stall");
        Assert.InRange(processor.Counters.MaxBufferedRecords, 1, bound);
        Assert.False(run.IsCompleted);
        Assert.Equal(consumedWhilePaused, processor.Counters.Consumed);
        release.SetResult();

        var summary = await run.WaitAsync(ConsumingKit.RunDeadline);

        Assert.Equal(3000, summary.Stored);
        Assert.Equal(ConsumingKit.Ids(3000).Order(), sink.Rows.Keys.Order());
        Assert.InRange(processor.Counters.MaxBufferedRecords, 1, bound);
        Assert.Equal(0, processor.Counters.BufferedRecords);
        Assert.False(processor.Counters.IsPaused);
    }

    [Fact]
    public async Task Partitions_lost_while_paused_are_read_again_once_assigned_back()
    {
        // A full sink pauses the consumer; then the coordinator answers a heartbeat with UNKNOWN_MEMBER_ID, which
        // librdkafka takes as the assignment lost: the partitions leave while paused and the member rejoins and gets
        // them back. They must be fetched again, from the committed offsets, once the sink has room.
        KafkaTestKit.Produce(_cluster.BootstrapServers, Topic, ConsumingKit.Transactions(3000));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sink = new MemorySink { BeforeWrite = (_, ct) => release.Task.WaitAsync(ct) };
        var options = ConsumingKit.Options(_cluster.BootstrapServers, "g-lost-paused") with
        {
            MaxBatchRecords = 20,
            MaxInFlightBatches = 2,
            UntilIdle = null,
        };
        var processor = ConsumingKit.Processor(options, sink, logger: new TestOutputLogger(output, "lost"));
        using var stop = new CancellationTokenSource();
        var run = processor.RunAsync(stop.Token);
        KafkaTestKit.WaitUntil(() => processor.Counters.IsPaused && processor.Counters.AssignedPartitions == 6,
            TimeSpan.FromSeconds(30), "the consumer pauses");
        var rebalances = processor.Counters.Rebalances;

        var lost = ChaosSpec.Parse("0s:errors Heartbeat 1 UNKNOWN_MEMBER_ID");
        new ChaosScheduler(_cluster, lost, "g-lost-paused", _ => { }).Apply(lost.Steps[0]);
        KafkaTestKit.WaitUntil(() => processor.Counters.Rebalances >= rebalances + 2 && processor.Counters.AssignedPartitions == 6,
            TimeSpan.FromSeconds(30), "the partitions lost and assigned again");
        release.SetResult();

        KafkaTestKit.WaitUntil(() => sink.Rows.Count == 3000, TimeSpan.FromSeconds(60),
            "every message stored after the loss");
        stop.Cancel();
        await run.WaitAsync(ConsumingKit.RunDeadline);
        Assert.Equal(ConsumingKit.Ids(3000).Order(), sink.Rows.Keys.Order());
    }

    [Fact]
    public async Task Records_whose_write_never_finished_are_not_committed_and_are_read_again_after_a_restart()
    {
        KafkaTestKit.Produce(_cluster.BootstrapServers, Topic, ConsumingKit.Transactions(200));
        var stuck = new MemorySink { BeforeWrite = (_, ct) => Task.Delay(Timeout.Infinite, ct) };
        var first = ConsumingKit.Processor(ConsumingKit.Options(_cluster.BootstrapServers, "g-restart") with
        {
            UntilIdle = null,
            ShutdownTimeout = TimeSpan.FromMilliseconds(300),
        }, stuck);
        using var stop = new CancellationTokenSource();

        var run = first.RunAsync(stop.Token);
        KafkaTestKit.WaitUntil(() => stuck.Attempts >= 1, TimeSpan.FromSeconds(30), "a write starts");
        await stop.CancelAsync();
        var stopped = await run.WaitAsync(ConsumingKit.RunDeadline);

        Assert.Equal(StreamProcessorStopReason.Cancelled, stopped.Reason);
        Assert.Equal(0, stopped.Stored);
        Assert.Equal(0, stopped.Commits);
        Assert.Empty(stuck.Rows);
        Assert.All(ConsumingKit.Committed(_cluster.BootstrapServers, "g-restart", Topic, _partitions).Values, Assert.Null);

        var sink = new MemorySink();
        var second = ConsumingKit.Processor(ConsumingKit.Options(_cluster.BootstrapServers, "g-restart"), sink);
        var summary = await second.RunAsync(CancellationToken.None).WaitAsync(ConsumingKit.RunDeadline);

        Assert.Equal(200, summary.Consumed);
        Assert.Equal(ConsumingKit.Ids(200).Order(), sink.Rows.Keys.Order());
    }

    [Fact]
    public async Task Partitions_move_between_members_without_losing_a_message()
    {
        var bootstrap = _cluster.BootstrapServers;
        KafkaTestKit.Produce(bootstrap, Topic, ConsumingKit.Transactions(600, 0));
        var sink = new MemorySink();
        var options = ConsumingKit.Options(bootstrap, "g-rebalance") with { UntilIdle = null, MaxBatchRecords = 25 };
        var a = ConsumingKit.Processor(options, sink, logger: new TestOutputLogger(output, "A"));
        var b = ConsumingKit.Processor(options, sink, logger: new TestOutputLogger(output, "B"));
        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();

        // A alone takes all six partitions, then B joins: cooperative rebalancing revokes some of A's.
        var runA = a.RunAsync(stopA.Token);
        KafkaTestKit.WaitUntil(() => a.Counters.AssignedPartitions == 6 && sink.Rows.Count > 0, TimeSpan.FromSeconds(30), "A owns everything");
        var runB = b.RunAsync(stopB.Token);
        KafkaTestKit.WaitUntil(() => a.Counters.AssignedPartitions is > 0 and < 6 && b.Counters.AssignedPartitions > 0
            && a.Counters.AssignedPartitions + b.Counters.AssignedPartitions == 6, TimeSpan.FromSeconds(60), "A and B share");
        KafkaTestKit.Produce(bootstrap, Topic, ConsumingKit.Transactions(600, 600));
        KafkaTestKit.WaitUntil(() => b.Counters.Stored > 0, TimeSpan.FromSeconds(30), "B stores some");

        // B leaves cleanly; A takes its partitions back and carries on from B's commits.
        await stopB.CancelAsync();
        var summaryB = await runB.WaitAsync(ConsumingKit.RunDeadline);
        KafkaTestKit.Produce(bootstrap, Topic, ConsumingKit.Transactions(600, 1200));
        KafkaTestKit.WaitUntil(() => a.Counters.AssignedPartitions == 6, TimeSpan.FromSeconds(60), "A owns everything again");
        KafkaTestKit.WaitUntil(() => sink.Rows.Count == 1800, TimeSpan.FromSeconds(60), "every message stored");
        var end = ConsumingKit.EndOffsets(bootstrap, Topic, _partitions);
        KafkaTestKit.WaitUntil(() =>
        {
            var committed = ConsumingKit.Committed(bootstrap, "g-rebalance", Topic, _partitions);
            return _partitions.All(p => committed[p] == end[p]);
        }, TimeSpan.FromSeconds(30), "A commits the end offsets");
        await stopA.CancelAsync();
        var summaryA = await runA.WaitAsync(ConsumingKit.RunDeadline);

        Assert.Equal(ConsumingKit.Ids(1800).Order(), sink.Rows.Keys.Order());
        Assert.True(summaryB.Stored > 0);
        Assert.Equal(1800, summaryA.Stored + summaryB.Stored);
        // Each record is read at least once; re-reads after a move are possible but stored once.
        Assert.True(summaryA.Consumed + summaryB.Consumed >= 1800);
        Assert.Equal(1800, end.Values.Sum());
    }
}
