using System.Diagnostics;
using System.Threading.Channels;
using Ecommerce.Pipeline.Core.Processing;
using Polly;

namespace Ecommerce.Pipeline.Kafka.Consuming;

/// <summary>
/// Stores the batches of a queue with an <see cref="IBatchStep"/>: each with retries (<see cref="BatchRetryPolicy"/>),
/// up to <c>maxConcurrentWrites</c> side by side, while the next batch's transform runs ahead. Batches complete
/// strictly in queue order, so a batch is reported acknowledged only after every batch before it was; once one is
/// not (it failed for good, or the writer stopped), none after it is, because its offsets would cover the lost one.
/// </summary>
/// <remarks>
/// A permanent failure cancels <c>stop</c>: later batches are then not started, and those already queued complete
/// unacknowledged. The completion callback runs on the writer's task, one batch at a time, in order.
/// </remarks>
internal sealed class OrderedBatchWriter
{
    private readonly IBatchStep _step;
    private readonly ResiliencePipeline _retry;
    private readonly int _concurrency;
    private readonly CancellationTokenSource _stop;
    private readonly CancellationToken _handlerToken;
    private readonly Action<Batch, BatchWrite> _completed;
    private volatile bool _poisoned;
    private bool _abandoned; // writer task only
    private Exception? _sinkUnavailable;
    private Exception? _failure;

    /// <param name="step">What to do with each batch.</param>
    /// <param name="retry">How a failing batch is retried.</param>
    /// <param name="maxConcurrentWrites">Batches stored side by side (1: one at a time).</param>
    /// <param name="stop">Ends retry waits and starts no more batches; cancelled by the writer on a permanent failure.</param>
    /// <param name="completed">Called once per batch, in queue order, with its outcome (null: not acknowledged).</param>
    /// <param name="handlerToken">Passed to the step's store call (may outlive <paramref name="stop"/>, to let a write finish).</param>
    public OrderedBatchWriter(IBatchStep step, BatchRetryPolicy retry, int maxConcurrentWrites,
        CancellationTokenSource stop, Action<Batch, BatchWrite> completed, CancellationToken handlerToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(retry);
        ArgumentNullException.ThrowIfNull(stop);
        ArgumentNullException.ThrowIfNull(completed);
        _step = step;
        _stop = stop;
        _retry = retry.Build(stop.Token);
        _concurrency = Math.Max(1, maxConcurrentWrites);
        _handlerToken = handlerToken;
        _completed = completed;
    }

    /// <summary>The first <see cref="SinkUnavailableException"/> a batch failed with, if any.</summary>
    public Exception? SinkUnavailable => Volatile.Read(ref _sinkUnavailable);

    /// <summary>
    /// The first failure that ended a batch for good before anyone asked the writer to stop (so not a shutdown's
    /// cancellation), if any: the run did not end the way its caller asked, and must not look as if it had.
    /// </summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>
    /// The queue length that keeps <paramref name="maxInFlightBatches"/> + 2 batches in memory: with a step that
    /// prepares ahead, the writer holds one batch (being transformed) outside the queue, so the queue is one shorter.
    /// </summary>
    public static int QueueCapacity(int maxInFlightBatches, IBatchStep step) =>
        step.PreparesAhead ? Math.Max(1, maxInFlightBatches - 1) : maxInFlightBatches;

    /// <summary>Stores every batch of <paramref name="batches"/> until it is completed and drained; never throws for a batch.</summary>
    public async Task RunAsync(ChannelReader<Batch> batches)
    {
        // Batches being written, oldest first.
        var writing = new Queue<(Batch Batch, Task<BatchWrite> Attempt)>(_concurrency);
        (Batch Batch, Task<BatchResult>? Prepared)? ahead = null;
        while (true)
        {
            Batch batch;
            Task<BatchResult>? prepared;
            if (ahead is { } next)
            {
                (batch, prepared) = next;
                ahead = null;
            }
            else if (batches.TryRead(out var read))
            {
                (batch, prepared) = (read, StartPrepare(read));
            }
            else if (writing.Count > 0)
            {
                // Nothing new yet: finish the oldest write, unless a batch arrives first.
                var oldest = writing.Peek().Attempt;
                var arrival = batches.WaitToReadAsync(CancellationToken.None).AsTask();
                var first = await Task.WhenAny(oldest, arrival).ConfigureAwait(false);
                // A completed channel answers at once with false: then only the writes are left to wait for.
                if (first == oldest || arrival is { IsCompletedSuccessfully: true, Result: false })
                {
                    await FinishOldestAsync(writing).ConfigureAwait(false);
                }

                continue;
            }
            else if (await batches.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                continue;
            }
            else
            {
                break;
            }

            // Transform the following batch while this one is stored.
            if (_step.PreparesAhead && batches.TryRead(out var following))
            {
                ahead = (following, StartPrepare(following));
            }

            writing.Enqueue((batch, AttemptAsync(batch, prepared)));
            while (writing.Count >= _concurrency)
            {
                await FinishOldestAsync(writing).ConfigureAwait(false);
            }
        }

        while (writing.Count > 0)
        {
            await FinishOldestAsync(writing).ConfigureAwait(false);
        }
    }

    private Task<BatchResult>? StartPrepare(Batch batch) =>
        _step.PreparesAhead ? Task.Run(() => _step.Prepare(batch.Records)) : null;

    /// <summary>Stores one batch, with retries; never throws (a failure is the attempt's result).</summary>
    private async Task<BatchWrite> AttemptAsync(Batch batch, Task<BatchResult>? preparing)
    {
        var started = Stopwatch.GetTimestamp();
        if (_poisoned || _stop.IsCancellationRequested)
        {
            if (preparing is not null)
            {
                // Observe it, so a failed transform of a dropped batch is not an unobserved task exception.
                await preparing.ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }

            return new BatchWrite(null, null, Stopwatch.GetElapsedTime(started));
        }

        try
        {
            var prepared = preparing is null ? null : await preparing.ConfigureAwait(false);
            // The retry waits end on a stop; the store call itself only on the handler token.
            var outcome = await _retry.ExecuteAsync(
                static (state, _) => new ValueTask<BatchOutcome>(
                    state.Step.HandleAsync(state.Batch.Records, state.Prepared, state.Token)),
                (Step: _step, Batch: batch, Prepared: prepared, Token: _handlerToken),
                _stop.Token).ConfigureAwait(false);
            return new BatchWrite(outcome, null, Stopwatch.GetElapsedTime(started));
        }
#pragma warning disable CA1031 // Any failure that outlived the retries means: not acknowledged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (ex is SinkUnavailableException)
            {
                Interlocked.CompareExchange(ref _sinkUnavailable, ex, null);
            }

            if (!_stop.IsCancellationRequested)
            {
                Interlocked.CompareExchange(ref _failure, ex, null);
            }

            // Stop now, not when this batch's turn to complete comes: later batches must not start either.
            _poisoned = true;
            _stop.Cancel();
            return new BatchWrite(null, ex, Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task FinishOldestAsync(Queue<(Batch Batch, Task<BatchWrite> Attempt)> writing)
    {
        var (batch, pending) = writing.Dequeue();
        var attempt = await pending.ConfigureAwait(false);
        if (attempt.Outcome is null || _abandoned)
        {
            // Never acknowledge a batch after one that was not. (A later batch that was written anyway is read
            // again after a restart; the sinks are idempotent.)
            attempt = attempt with { Outcome = null };
            _abandoned = true;
            _poisoned = true;
            _stop.Cancel();
        }

        _completed(batch, attempt);
    }
}

/// <summary>How one batch ended: its outcome when acknowledged (else null), the failure that ended it, and how long it took.</summary>
internal readonly record struct BatchWrite(BatchOutcome? Outcome, Exception? Failure, TimeSpan Elapsed);
