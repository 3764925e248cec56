using System.Collections.Concurrent;
using System.Threading.Channels;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.Kafka.Consuming;

namespace Ecommerce.Pipeline.Kafka.Tests.Consuming;

/// <summary>The ordered batch writer without a broker, with a scripted step: retries, in-order completion, poison.</summary>
public sealed class OrderedBatchWriterTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<(int Batch, BatchWrite Write)> _completed = new();
    private int _retries;

    public void Dispose() => _stop.Dispose();

    /// <summary>Batch <c>i</c> holds one record at offset <c>i</c>, so a batch is known by its first offset.</summary>
    private static Channel<Batch> Queue(int batches)
    {
        var channel = Channel.CreateUnbounded<Batch>();
        for (var i = 0; i < batches; i++)
        {
            channel.Writer.TryWrite(new Batch([new RawRecord(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, "t", 0, i,
                DateTimeOffset.UnixEpoch)]));
        }

        channel.Writer.Complete();
        return channel;
    }

    private OrderedBatchWriter Writer(IBatchStep step, int concurrency = 1, int maxAttempts = int.MaxValue) =>
        new(step, new BatchRetryPolicy(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(2), maxAttempts,
            RetriesCancellation: true)
        {
            OnRetry = (_, _, _) => Interlocked.Increment(ref _retries),
        }, concurrency, _stop, (batch, write) => _completed.Enqueue(((int)batch.Records[0].Offset, write)), CancellationToken.None);

    private int[] CompletedOrder => [.. _completed.Select(c => c.Batch)];

    private bool[] Acknowledged => [.. _completed.Select(c => c.Write.Outcome is not null)];

    [Fact]
    public async Task A_batch_that_fails_twice_is_retried_until_it_succeeds_and_every_batch_completes_in_order()
    {
        var step = new ScriptedStep(async (batch, attempt, _) =>
        {
            await Task.Yield();
            if (batch == 0 && attempt <= 2)
            {
                throw new IOException("transient");
            }
        });

        await Writer(step).RunAsync(Queue(3).Reader).WaitAsync(Deadline);

        Assert.Equal([0, 1, 2], CompletedOrder);
        Assert.Equal([true, true, true], Acknowledged);
        Assert.Equal(3, step.Attempts(0));
        Assert.Equal(2, Volatile.Read(ref _retries));
        Assert.All(_completed, c => Assert.Null(c.Write.Failure));
        Assert.False(_stop.IsCancellationRequested);
    }

    [Fact]
    public async Task Later_batches_that_finish_first_are_still_completed_after_the_first()
    {
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var laterReturned = new CountdownEvent(2);
        var step = new ScriptedStep(async (batch, _, _) =>
        {
            if (batch == 0)
            {
                await releaseFirst.Task;
                return;
            }

            laterReturned.Signal();
        });

        var run = Writer(step, concurrency: 3).RunAsync(Queue(3).Reader);
        Assert.True(laterReturned.Wait(Deadline), "batches 1 and 2 were written while batch 0 was still being written");
        Assert.Empty(_completed);

        releaseFirst.SetResult();
        await run.WaitAsync(Deadline);

        Assert.Equal([0, 1, 2], CompletedOrder);
        Assert.Equal([true, true, true], Acknowledged);
        laterReturned.Dispose();
    }

    [Fact]
    public async Task When_the_first_batch_fails_for_good_none_after_it_is_acknowledged_even_if_written()
    {
        var laterReturned = new CountdownEvent(2);
        var unavailable = new SinkUnavailableException("refuses for good");
        var step = new ScriptedStep(async (batch, _, ct) =>
        {
            if (batch == 0)
            {
                // Fails only once the later batches were written: their success must not count.
                await Task.Run(() => laterReturned.Wait(Deadline), ct);
                throw unavailable;
            }

            laterReturned.Signal();
        });

        var writer = Writer(step, concurrency: 3);
        await writer.RunAsync(Queue(3).Reader).WaitAsync(Deadline);

        Assert.Equal([0, 1, 2], CompletedOrder);
        Assert.Equal([false, false, false], Acknowledged);
        Assert.Same(unavailable, _completed.First().Write.Failure);
        Assert.Same(unavailable, writer.SinkUnavailable);
        Assert.Equal(1, step.Attempts(0)); // a sink that cannot make progress is not retried
        Assert.Equal(1, step.Attempts(1));
        Assert.True(_stop.IsCancellationRequested);
        laterReturned.Dispose();
    }

    [Fact]
    public async Task After_a_batch_fails_for_good_the_following_ones_are_not_even_started()
    {
        var step = new ScriptedStep((batch, _, _) =>
            batch == 1 ? Task.FromException(new IOException("disk full")) : Task.CompletedTask);

        await Writer(step, maxAttempts: 3).RunAsync(Queue(4).Reader).WaitAsync(Deadline);

        Assert.Equal([0, 1, 2, 3], CompletedOrder);
        Assert.Equal([true, false, false, false], Acknowledged);
        Assert.IsType<IOException>(_completed.ElementAt(1).Write.Failure);
        Assert.Equal(3, step.Attempts(1));
        Assert.Equal(0, step.Attempts(2));
        Assert.Equal(0, step.Attempts(3));
        // Dropped, not failed: the only failure reported is the batch's that ended the run.
        Assert.All(_completed.Skip(2), c => Assert.Null(c.Write.Failure));
    }

    [Fact]
    public async Task A_failing_batch_is_retried_until_the_writer_is_stopped_and_is_then_not_acknowledged()
    {
        var step = new ScriptedStep((batch, attempt, _) =>
        {
            if (attempt == 5)
            {
                _stop.Cancel();
            }

            return Task.FromException(new IOException("still down"));
        });

        await Writer(step).RunAsync(Queue(2).Reader).WaitAsync(Deadline);

        Assert.Equal(5, step.Attempts(0));
        Assert.Equal(0, step.Attempts(1));
        Assert.Equal([false, false], Acknowledged);
    }

    [Fact]
    public async Task The_next_batch_is_prepared_while_one_is_stored_and_each_store_gets_its_own_preparation()
    {
        var secondPrepared = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var step = new ScriptedStep(async (batch, _, ct) =>
        {
            if (batch == 0)
            {
                // Without run-ahead this never completes: batch 1 would be prepared only after batch 0 is stored.
                await secondPrepared.Task.WaitAsync(Deadline, ct);
            }
        })
        {
            OnPrepare = batch =>
            {
                if (batch == 1)
                {
                    secondPrepared.TrySetResult();
                }
            },
        };

        await Writer(step).RunAsync(Queue(3).Reader).WaitAsync(Deadline);

        Assert.Equal([true, true, true], Acknowledged);
        Assert.Equal([0, 1, 2], step.PreparedFor);
        Assert.All(step.Stored, s => Assert.Same(step.Preparations[s.Batch], s.Prepared));
    }

    [Fact]
    public void The_queue_is_one_shorter_when_the_writer_holds_a_batch_ahead()
    {
        var prepares = new ScriptedStep((_, _, _) => Task.CompletedTask);
        var plain = new DelegateBatchStep((_, _) => Task.FromResult(new BatchOutcome(0, 0, 0, 0, DateTimeOffset.UnixEpoch)));

        Assert.Equal(2, OrderedBatchWriter.QueueCapacity(3, prepares));
        Assert.Equal(1, OrderedBatchWriter.QueueCapacity(1, prepares));
        Assert.Equal(3, OrderedBatchWriter.QueueCapacity(3, plain));
    }

    /// <summary>A step whose store runs <c>script(batch, attempt, token)</c>; it prepares ahead and records what it saw.</summary>
    [Fact]
    public async Task A_transform_that_throws_gives_the_batch_up_and_is_reported_as_the_writer_failure()
    {
        var defect = new InvalidOperationException("transform defect");
        var step = new ScriptedStep((_, _, _) => Task.CompletedTask) { OnPrepare = batch => { if (batch == 1) { throw defect; } } };

        var writer = Writer(step);
        await writer.RunAsync(Queue(3).Reader).WaitAsync(Deadline);

        Assert.Equal([true, false, false], Acknowledged);
        Assert.Same(defect, writer.Failure);
        Assert.Null(writer.SinkUnavailable);
        Assert.Equal(0, step.Attempts(1)); // the transform is pure: running it again would throw again
    }

    [Fact]
    public async Task Batches_dropped_because_the_writer_was_asked_to_stop_are_no_failure()
    {
        await _stop.CancelAsync();
        var step = new ScriptedStep((_, _, _) => Task.CompletedTask);

        var writer = Writer(step);
        await writer.RunAsync(Queue(2).Reader).WaitAsync(Deadline);

        Assert.Equal([false, false], Acknowledged);
        Assert.Null(writer.Failure);
    }

    private sealed class ScriptedStep(Func<int, int, CancellationToken, Task> script) : IBatchStep
    {
        private readonly ConcurrentDictionary<int, int> _attempts = new();

        public Action<int>? OnPrepare { get; init; }

        public ConcurrentDictionary<int, BatchResult> Preparations { get; } = new();

        public ConcurrentQueue<(int Batch, BatchResult? Prepared)> Stored { get; } = new();

        public int[] PreparedFor => [.. Preparations.Keys.Order()];

        public bool PreparesAhead => true;

        public int Attempts(int batch) => _attempts.GetValueOrDefault(batch);

        public BatchResult Prepare(IReadOnlyList<RawRecord> records)
        {
            var batch = (int)records[0].Offset;
            var result = new BatchResult([], [], 0);
            Preparations[batch] = result;
            OnPrepare?.Invoke(batch);
            return result;
        }

        public async Task<BatchOutcome> HandleAsync(IReadOnlyList<RawRecord> records, BatchResult? prepared,
            CancellationToken cancellationToken)
        {
            var batch = (int)records[0].Offset;
            var attempt = _attempts.AddOrUpdate(batch, 1, static (_, n) => n + 1);
            await script(batch, attempt, cancellationToken);
            Stored.Enqueue((batch, prepared));
            return new BatchOutcome(records.Count, records.Count, 0, 0, DateTimeOffset.UnixEpoch);
        }
    }
}
