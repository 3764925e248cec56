using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.Kafka.Consuming;
using Ecommerce.Pipeline.Kafka.Embedded;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ecommerce.Pipeline.Kafka.Tests.Consuming;

/// <summary>
/// <see cref="StreamProcessorOptions.MaxConcurrentWrites"/>: batches are written side by side, yet acknowledged and
/// committed strictly in order, and nothing after a failed batch is ever acknowledged.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ConcurrentWritesTests : IDisposable
{
    private const string Topic = EmbeddedKafkaCluster.TransactionsTopic;
    private const int Concurrency = 3;
    private readonly EmbeddedKafkaCluster _cluster = EmbeddedKafkaCluster.Start(brokers: 1, partitions: 1);

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public async Task Later_batches_finish_first_but_nothing_is_committed_until_the_first_is_stored()
    {
        ProduceToPartitionZero(200);
        var harness = new Harness();
        var processor = Processor("g-order", harness.HandleAsync);

        var run = processor.RunAsync(CancellationToken.None);
        // The first batch is held; the two after it are written meanwhile (the concurrency) and return.
        KafkaTestKit.WaitUntil(() => harness.Returned == Concurrency - 1, TimeSpan.FromSeconds(30), "two later batches written");
        Assert.Equal(Concurrency, harness.Started);
        Assert.Equal(0, processor.Counters.Stored);
        Assert.Null(ConsumingKit.Committed(_cluster.BootstrapServers, "g-order", Topic, [0])[0]);
        harness.ReleaseFirst.SetResult();

        var summary = await run.WaitAsync(ConsumingKit.RunDeadline);

        Assert.Equal(StreamProcessorStopReason.Idle, summary.Reason);
        Assert.Equal(200, summary.Stored);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), harness.Offsets.Order());
        Assert.Equal(200, ConsumingKit.Committed(_cluster.BootstrapServers, "g-order", Topic, [0])[0]);
    }

    [Fact]
    public async Task When_a_batch_fails_for_good_the_batches_written_after_it_are_not_acknowledged()
    {
        ProduceToPartitionZero(200);
        var harness = new Harness();
        var processor = Processor("g-fail", async (records, ct) =>
        {
            if (records[0].Offset == 0)
            {
                // Fails only once the later batches were written: their success must not be committed.
                await Task.Run(() => KafkaTestKit.WaitUntil(() => harness.Returned == Concurrency - 1,
                    TimeSpan.FromSeconds(30), "later batches written"), ct);
                throw new SinkUnavailableException("the warehouse refuses for good");
            }

            return await harness.HandleAsync(records, ct);
        });

        var failure = await Assert.ThrowsAsync<SinkUnavailableException>(
            () => processor.RunAsync(CancellationToken.None).WaitAsync(ConsumingKit.RunDeadline));

        Assert.Contains("refuses for good", failure.Message, StringComparison.Ordinal);
        Assert.Equal(Concurrency - 1, harness.Returned);
        Assert.Equal(0, processor.Counters.Stored);
        Assert.Null(ConsumingKit.Committed(_cluster.BootstrapServers, "g-fail", Topic, [0])[0]);
    }

    [Fact]
    public async Task A_batch_given_up_for_any_other_reason_ends_the_run_with_an_error_not_a_quiet_stop()
    {
        ProduceToPartitionZero(100);
        var harness = new Harness();
        harness.ReleaseFirst.SetResult();
        // The transform of the batch at offset 40 throws (run ahead of the store, so it is not retried).
        var step = new FailingTransform(40, harness.HandleAsync);
        var processor = new StreamProcessor(ConsumingKit.Options(_cluster.BootstrapServers, "g-abandon") with
        {
            MaxBatchRecords = 20,
            UntilIdle = TimeSpan.FromSeconds(2),
        }, step, "fake", NullLogger.Instance, metrics: null);

        var failure = await Assert.ThrowsAsync<BatchAbandonedException>(
            () => processor.RunAsync(CancellationToken.None).WaitAsync(ConsumingKit.RunDeadline));

        Assert.Contains("InvalidOperationException: transform defect", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', failure.Message);
        Assert.IsType<InvalidOperationException>(failure.InnerException);
        // The batches before it were stored and committed; nothing from the failed one on.
        Assert.Equal(step.FailedFrom, ConsumingKit.Committed(_cluster.BootstrapServers, "g-abandon", Topic, [0])[0]);
        Assert.InRange(step.FailedFrom, 1, 40);
    }

    /// <summary>Throws in the transform of the batch that holds <paramref name="offset"/>.</summary>
    private sealed class FailingTransform(long offset, Func<IReadOnlyList<RawRecord>, CancellationToken, Task<BatchOutcome>> handle) : IBatchStep
    {
        public long FailedFrom { get; private set; } = -1;

        public bool PreparesAhead => true;

        public BatchResult Prepare(IReadOnlyList<RawRecord> records)
        {
            if (records[0].Offset <= offset && offset <= records[^1].Offset)
            {
                FailedFrom = records[0].Offset;
                throw new InvalidOperationException("transform defect\nsecond line");
            }

            return new BatchResult([], [], 0);
        }

        public Task<BatchOutcome> HandleAsync(IReadOnlyList<RawRecord> records, BatchResult? prepared, CancellationToken cancellationToken) =>
            handle(records, cancellationToken);
    }

    private StreamProcessor Processor(string group, Func<IReadOnlyList<RawRecord>, CancellationToken, Task<BatchOutcome>> handle) =>
        new(ConsumingKit.Options(_cluster.BootstrapServers, group) with
        {
            MaxBatchRecords = 20,
            MaxConcurrentWrites = Concurrency,
            // Enough queued batches that the writers are never starved while the first one is held.
            MaxInFlightBatches = 4,
        }, handle, "fake", NullLogger.Instance);

    private void ProduceToPartitionZero(int count)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(KafkaClientConfig.Producer(_cluster.BootstrapServers)).Build();
        for (var i = 0; i < count; i++)
        {
            producer.Produce(new TopicPartition(Topic, 0), new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes($"v{i}") });
        }

        producer.Flush(TimeSpan.FromSeconds(30));
    }

    /// <summary>A sink stand-in: holds the batch that starts at offset 0 until released, returns the others at once.</summary>
    private sealed class Harness
    {
        private int _started;
        private int _returned;

        public TaskCompletionSource ReleaseFirst { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ConcurrentBag<long> Offsets { get; } = [];
        public int Started => Volatile.Read(ref _started);
        public int Returned => Volatile.Read(ref _returned);

        public async Task<BatchOutcome> HandleAsync(IReadOnlyList<RawRecord> records, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _started);
            try
            {
                if (records[0].Offset == 0)
                {
                    await ReleaseFirst.Task.WaitAsync(cancellationToken);
                }

                foreach (var record in records)
                {
                    Offsets.Add(record.Offset);
                }

                return new BatchOutcome(records.Count, records.Count, 0, 0, DateTimeOffset.UtcNow);
            }
            finally
            {
                if (records[0].Offset != 0)
                {
                    Interlocked.Increment(ref _returned);
                }
            }
        }
    }
}
