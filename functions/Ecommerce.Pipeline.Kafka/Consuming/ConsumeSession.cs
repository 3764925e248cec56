using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Confluent.Kafka;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Ecommerce.Pipeline.Kafka.Consuming;

/// <summary>
/// One run of a <see cref="StreamProcessor"/>. Fields marked "consume thread" are touched only by the thread that
/// owns the consumer (its loop and the rebalance callbacks, which librdkafka runs inside <c>Consume</c>), so they
/// need no locks; the handler task talks to that thread only through <see cref="_batches"/> and
/// <see cref="_completions"/>.
/// </summary>
internal sealed class ConsumeSession : IDisposable
{
    private readonly StreamProcessor _owner;
    private readonly StreamProcessorOptions _options;
    private readonly StreamProcessorCounters _counters;
    private readonly ILogger _logger;
    private readonly string _topic;

    // Stop taking work: ends the loop, cancels retry waits, makes the handler drop queued batches.
    private readonly CancellationTokenSource _stop;

    // Cancels the sink call itself; fires ShutdownTimeout after a stop so a graceful stop lets it finish.
    private readonly CancellationTokenSource _hardStop = new();

    private readonly Channel<Batch> _batches;
    private readonly ConcurrentQueue<Completion> _completions = new();
    private readonly ManualResetEventSlim _completed = new(false);
    private readonly ResiliencePipeline _retry;

    // Consume thread.
    private readonly Dictionary<int, int> _assigned = []; // partition → epoch of its current assignment
    private readonly Dictionary<int, long> _toCommit = []; // partition → next offset, acknowledged, not yet committed
    private readonly HashSet<int> _atEnd = []; // partitions whose last event was end-of-partition (UntilIdle only)
    private List<RawRecord> _building;
    private long _buildingBytes;
    private long _buildingDeadline;
    private Batch? _ready; // complete, waiting for room in _batches
    private int _outstanding; // handed to the handler, no completion seen yet
    private int _epoch;
    private bool _paused;
    private bool _assignmentChanged;
    private bool _joined;
    private long _startedAt;
    private long _lastActivity;
    private int _commitFailures;
    private long _nextCommitAt;
    private long _blockedSince; // when _ready last found the queue full (0: not blocked)
    private Task _handlerTask = Task.CompletedTask;
    private bool _abandoned; // a batch was not acknowledged: no later one may be (handler loop only)

    // Handler task.
    private volatile bool _poisoned;
    private Exception? _sinkUnavailable;

    private volatile Error? _fatal;

    public ConsumeSession(StreamProcessor owner, CancellationToken cancellationToken)
    {
        _owner = owner;
        _options = owner.Options;
        _counters = owner.Counters;
        _logger = owner.Logger;
        _topic = _options.Topic;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // With a prepare step the handler loop holds one batch ahead (being transformed) outside the channel, so the
        // channel is one shorter and at most MaxInFlightBatches + 2 batches are in memory either way.
        var capacity = owner.Prepare is null ? _options.MaxInFlightBatches : Math.Max(1, _options.MaxInFlightBatches - 1);
        _batches = Channel.CreateBounded<Batch>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _building = NewBuffer();
        _retry = BuildRetryPipeline();
    }

    public Task<StreamProcessorSummary> RunAsync() =>
        Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public void Dispose()
    {
        // A sink that ignored cancellation may still hold these; leave them to the finalizer then.
        if (!_handlerTask.IsCompleted)
        {
            return;
        }

        _stop.Dispose();
        _hardStop.Dispose();
        _completed.Dispose();
    }

    private StreamProcessorSummary Run()
    {
        _startedAt = _lastActivity = Stopwatch.GetTimestamp();
        var reason = StreamProcessorStopReason.Cancelled;
        Exception? error = null;
        using var consumer = BuildConsumer();
        _handlerTask = Task.Run(HandlerLoopAsync);
        try
        {
            consumer.Subscribe(_topic);
            StreamProcessorLog.Subscribed(_logger, _topic, _options.GroupId);
            reason = Loop(consumer);
        }
#pragma warning disable CA1031 // Anything escaping the loop still needs the shutdown below; it is rethrown after.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            error = ex;
            if (ex is ConsumeException { Error.IsFatal: true } consumeError)
            {
                _fatal ??= consumeError.Error;
            }
        }

        Shutdown(consumer, abort: error is not null || _fatal is not null);

        if (error is not null)
        {
            ExceptionDispatchInfo.Throw(error);
        }

        if (_fatal is { } fatal)
        {
            throw new KafkaException(fatal);
        }

        if (_handlerTask.IsFaulted)
        {
            _handlerTask.GetAwaiter().GetResult();
        }

        if (Volatile.Read(ref _sinkUnavailable) is { } unavailable)
        {
            // Acknowledged offsets were committed by the shutdown above; the failed batch and all after it were not.
            ExceptionDispatchInfo.Throw(unavailable);
        }

        StreamProcessorLog.Stopping(_logger, reason, _counters.Consumed, _counters.Stored, _counters.DeadLetters,
            _counters.Duplicates);
        return new StreamProcessorSummary(reason, _counters.Consumed, _counters.Stored, _counters.DeadLetters,
            _counters.Duplicates, _counters.Batches, _counters.SinkRetries, _counters.Commits,
            Stopwatch.GetElapsedTime(_startedAt));
    }

    private StreamProcessorStopReason Loop(IConsumer<byte[]?, byte[]?> consumer)
    {
        while (true)
        {
            DrainCompletions();
            Commit(consumer);
            if (_stop.IsCancellationRequested || _handlerTask.IsCompleted)
            {
                return StreamProcessorStopReason.Cancelled;
            }

            if (IdleReached())
            {
                return StreamProcessorStopReason.Idle;
            }

            SealIfDue();
            if (HandOff(consumer))
            {
                WaitForRoom();
                continue;
            }

            ConsumeResult<byte[]?, byte[]?>? result;
            try
            {
                result = consumer.Consume(NextWait());
            }
            catch (ConsumeException ex) when (!ex.Error.IsFatal)
            {
                StreamProcessorLog.ConsumeError(_logger, ex.Error.Code, ex.Error.Reason);
                continue;
            }

            if (_assignmentChanged)
            {
                _assignmentChanged = false;
                if (_paused)
                {
                    // Partitions that arrived while the sink is behind start paused too.
                    consumer.Pause(consumer.Assignment);
                }
            }

            if (result is null)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                _atEnd.Add(result.Partition.Value);
            }
            else if (result.Message is not null)
            {
                Append(result);
            }
        }
    }

    /// <summary>Everything after the loop: let the in-flight batch finish, commit, leave the group.</summary>
    private void Shutdown(IConsumer<byte[]?, byte[]?> consumer, bool abort)
    {
        _stop.Cancel();
        _hardStop.CancelAfter(abort ? TimeSpan.Zero : _options.ShutdownTimeout);
        DropUnsent(static _ => true);
        _batches.Writer.TryComplete();

        // Bounded even if a sink ignores its token: the batch is then simply not committed.
        var giveUpAt = Stopwatch.GetTimestamp() + Ticks(_options.ShutdownTimeout + _options.ShutdownTimeout + TimeSpan.FromSeconds(5));
        if (!abort)
        {
            TryKafka(() => consumer.Pause(consumer.Assignment));
        }

        while (!_handlerTask.IsCompleted && Stopwatch.GetTimestamp() < giveUpAt)
        {
            if (abort)
            {
                // Only waits; a faulted handler task is rethrown by Run.
                ((IAsyncResult)_handlerTask).AsyncWaitHandle.WaitOne(_options.PollInterval);
            }
            else
            {
                // Keep polling (partitions paused) so the group does not evict this member meanwhile; whatever is
                // returned is discarded: commits come from acknowledgements only.
                TryKafka(() => consumer.Consume(_options.PollInterval));
                DrainCompletions();
                TryKafka(() => Commit(consumer));
            }
        }

        DrainCompletions();
        if (!abort)
        {
            TryKafka(() => Commit(consumer, force: true));
        }

        try
        {
            // Leaves the group now instead of after session.timeout.ms; runs the revoke callback (nothing left to wait for).
            consumer.Close();
        }
        catch (KafkaException ex)
        {
            StreamProcessorLog.CloseFailed(_logger, ex);
        }
    }

    private void TryKafka(Action action)
    {
        try
        {
            action();
        }
        catch (KafkaException ex)
        {
            StreamProcessorLog.ClientError(_logger, ex.Error.Code, ex.Error.Reason);
        }
    }

    private bool IdleReached()
    {
        if (_options.UntilIdle is not { } idle)
        {
            return false;
        }

        if (_building.Count > 0 || _ready is not null || _outstanding > 0 || _toCommit.Count > 0)
        {
            return false;
        }

        // Every owned partition must have been read to its end: after an assignment or a resume, fetching
        // restarts with a delay that a short UntilIdle could otherwise mistake for a quiet topic.
        foreach (var partition in _assigned.Keys)
        {
            if (!_atEnd.Contains(partition))
            {
                return false;
            }
        }

        // Before the first assignment the group may still be forming: give it a grace period.
        var since = _joined ? _lastActivity : _startedAt + Ticks(_options.JoinGrace);
        return Stopwatch.GetTimestamp() - since >= Ticks(idle);
    }

    private TimeSpan NextWait()
    {
        if (_ready is null && _building.Count > 0)
        {
            var left = _buildingDeadline - Stopwatch.GetTimestamp();
            if (left <= 0)
            {
                return TimeSpan.Zero;
            }

            var wait = TimeSpan.FromSeconds(left / (double)Stopwatch.Frequency);
            return wait < _options.PollInterval ? wait : _options.PollInterval;
        }

        return _options.PollInterval;
    }

    private void Append(ConsumeResult<byte[]?, byte[]?> result)
    {
        var partition = result.Partition.Value;
        if (!_assigned.ContainsKey(partition))
        {
            return; // Late delivery for a partition this member no longer owns: its owner reads it.
        }

        if (_atEnd.Count > 0)
        {
            _atEnd.Remove(partition);
        }

        var message = result.Message;
        var key = message.Key;
        var value = message.Value;
        var timestamp = message.Timestamp.Type == TimestampType.NotAvailable
            ? DateTimeOffset.UtcNow
            : DateTimeOffset.FromUnixTimeMilliseconds(message.Timestamp.UnixTimestampMs);
        var now = Stopwatch.GetTimestamp();
        if (_building.Count == 0)
        {
            _buildingDeadline = now + Ticks(_options.MaxBatchWait);
        }

        _building.Add(new RawRecord(key ?? ReadOnlyMemory<byte>.Empty, value ?? ReadOnlyMemory<byte>.Empty, result.Topic,
            partition, result.Offset.Value, timestamp));
        _buildingBytes += (key?.Length ?? 0) + (value?.Length ?? 0);
        _lastActivity = now;
    }

    private void SealIfDue()
    {
        if (_ready is not null || _building.Count == 0)
        {
            return;
        }

        if (_building.Count < _options.MaxBatchRecords && _buildingBytes < _options.MaxBatchBytes
            && Stopwatch.GetTimestamp() < _buildingDeadline)
        {
            return;
        }

        var count = _building.Count;
        _ready = new Batch(_building);
        _building = NewBuffer();
        _buildingBytes = 0;
        Interlocked.Add(ref _counters._consumed, count);
        var buffered = Interlocked.Add(ref _counters._bufferedRecords, count);
        if (buffered > Volatile.Read(ref _counters._maxBufferedRecords))
        {
            Volatile.Write(ref _counters._maxBufferedRecords, buffered); // only this thread raises the gauge
        }
    }

    /// <summary>
    /// Moves the complete batch to the handler queue, pausing or resuming as needed. Returns true when the queue
    /// is full but only briefly so: the caller then waits for room instead of polling, because a pause drops
    /// librdkafka's prefetched messages and a resume costs a fetch round trip, which thrashes when the handler is
    /// only momentarily behind.
    /// </summary>
    private bool HandOff(IConsumer<byte[]?, byte[]?> consumer)
    {
        if (_ready is not null)
        {
            _ready.Offsets = NextOffsets(_ready.Records);
            if (_batches.Writer.TryWrite(_ready))
            {
                _outstanding++;
                _ready = null;
            }
        }

        if (_ready is null)
        {
            _blockedSince = 0;
            if (_paused)
            {
                consumer.Resume(consumer.Assignment);
                _paused = false;
                Volatile.Write(ref _counters._paused, 0);
                StreamProcessorLog.Resumed(_logger);
            }

            return false;
        }

        // Not fetching meanwhile, so this time must not count towards UntilIdle.
        var now = Stopwatch.GetTimestamp();
        _lastActivity = now;
        if (_paused)
        {
            return false;
        }

        if (_blockedSince == 0)
        {
            _blockedSince = now;
        }

        if (now - _blockedSince < Ticks(_options.PauseAfter))
        {
            return true;
        }

        // The handler is behind: stop fetching (memory stays bounded) but keep polling to stay in the group.
        var assignment = consumer.Assignment;
        consumer.Pause(assignment);
        _paused = true;
        Volatile.Write(ref _counters._paused, 1);
        StreamProcessorLog.Paused(_logger, assignment.Count, _counters.BufferedRecords);
        return false;
    }

    private void WaitForRoom() => _batches.Writer.WaitToWriteAsync().AsTask().Wait(_options.PollInterval);

    private PartitionOffset[] NextOffsets(List<RawRecord> records)
    {
        var next = new Dictionary<int, long>();
        foreach (var record in records)
        {
            if (!next.TryGetValue(record.Partition, out var current) || record.Offset + 1 > current)
            {
                next[record.Partition] = record.Offset + 1;
            }
        }

        var offsets = new PartitionOffset[next.Count];
        var i = 0;
        foreach (var (partition, offset) in next)
        {
            offsets[i++] = new PartitionOffset(partition, offset, _assigned.GetValueOrDefault(partition, -1));
        }

        return offsets;
    }

    private void DrainCompletions()
    {
        while (_completions.TryDequeue(out var completion))
        {
            _outstanding--;
            if (!completion.Acknowledged)
            {
                continue;
            }

            foreach (var offset in completion.Batch.Offsets)
            {
                // Only for the assignment the records were read under: a partition revoked (and maybe assigned
                // back since) may have been committed further by another member meanwhile.
                if (_assigned.TryGetValue(offset.Partition, out var epoch) && epoch == offset.Epoch
                    && offset.Next > _toCommit.GetValueOrDefault(offset.Partition, -1))
                {
                    _toCommit[offset.Partition] = offset.Next;
                }
            }
        }
    }

    private void Commit(IConsumer<byte[]?, byte[]?> consumer, bool force = false)
    {
        if (_toCommit.Count == 0 || (!force && Stopwatch.GetTimestamp() < _nextCommitAt))
        {
            return;
        }

        var offsets = new List<TopicPartitionOffset>(_toCommit.Count);
        foreach (var (partition, next) in _toCommit)
        {
            offsets.Add(new TopicPartitionOffset(_topic, new Partition(partition), new Offset(next)));
        }

        try
        {
            consumer.Commit(offsets);
            _toCommit.Clear();
            _commitFailures = 0;
            _nextCommitAt = 0;
            Interlocked.Increment(ref _counters._commits);
        }
        catch (KafkaException ex) when (!ex.Error.IsFatal)
        {
            // Kept in _toCommit and retried a poll interval later (typically a rebalance is in progress);
            // re-committing the same offsets is harmless.
            _commitFailures++;
            _nextCommitAt = Stopwatch.GetTimestamp() + Ticks(_options.PollInterval);
            if (_commitFailures == 1 || _commitFailures % 20 == 0)
            {
                StreamProcessorLog.CommitFailed(_logger, ex, _commitFailures);
            }
        }
    }

    /// <summary>Removes not-yet-handed-off records of some partitions; returns how many.</summary>
    private int DropUnsent(Predicate<int> partition)
    {
        var dropped = _building.RemoveAll(r => partition(r.Partition));
        if (dropped > 0)
        {
            _buildingBytes = 0;
            foreach (var r in _building)
            {
                _buildingBytes += r.Key.Length + r.Value.Length;
            }
        }

        if (_ready is not null)
        {
            var fromReady = _ready.Records.RemoveAll(r => partition(r.Partition));
            if (fromReady > 0)
            {
                Interlocked.Add(ref _counters._bufferedRecords, -fromReady);
                dropped += fromReady;
                if (_ready.Records.Count == 0)
                {
                    _ready = null;
                }
            }
        }

        return dropped;
    }

    private void OnAssigned(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        foreach (var tp in partitions)
        {
            if (tp.Topic == _topic)
            {
                _assigned[tp.Partition.Value] = ++_epoch;
                _atEnd.Remove(tp.Partition.Value);
            }
        }

        // Start fresh from the committed offsets (the default); pause is applied after Consume returns, when the
        // incremental assignment has taken effect.
        _joined = true;
        _assignmentChanged = true;
        _lastActivity = Stopwatch.GetTimestamp();
        Volatile.Write(ref _counters._assignedPartitions, _assigned.Count);
        StreamProcessorLog.Assigned(_logger, partitions);
    }

    private void OnRevoked(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> partitions)
    {
        var revoked = partitions.Where(p => p.Topic == _topic).Select(p => p.Partition.Value).ToHashSet();
        var dropped = DropUnsent(revoked.Contains);
        WaitForOutstanding();
        Commit(consumer, force: true);
        Forget(revoked);
        StreamProcessorLog.Revoked(_logger, revoked, dropped);
    }

    private void OnLost(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> partitions)
    {
        // Lost (session expired): someone else may already own them, so commit nothing for them.
        var lost = partitions.Where(p => p.Topic == _topic).Select(p => p.Partition.Value).ToHashSet();
        var dropped = DropUnsent(lost.Contains);
        Forget(lost);
        StreamProcessorLog.Lost(_logger, lost, dropped);
    }

    private void Forget(HashSet<int> partitions)
    {
        foreach (var p in partitions)
        {
            _assigned.Remove(p);
            _toCommit.Remove(p);
            _atEnd.Remove(p);
        }

        _lastActivity = Stopwatch.GetTimestamp();
        Volatile.Write(ref _counters._assignedPartitions, _assigned.Count);
    }

    /// <summary>Waits (bounded) until every handed-off batch completed, so its offsets can be committed.</summary>
    private void WaitForOutstanding()
    {
        var deadline = Stopwatch.GetTimestamp() + Ticks(_options.RebalanceDrainTimeout);
        while (true)
        {
            _completed.Reset();
            DrainCompletions();
            if (_outstanding == 0)
            {
                return;
            }

            var left = deadline - Stopwatch.GetTimestamp();
            if (left <= 0 || _handlerTask.IsCompleted || _hardStop.IsCancellationRequested)
            {
                StreamProcessorLog.DrainTimedOut(_logger, _outstanding, _options.RebalanceDrainTimeout);
                return;
            }

            var wait = TimeSpan.FromSeconds(left / (double)Stopwatch.Frequency);
            _completed.Wait(wait < _options.PollInterval ? wait : _options.PollInterval);
        }
    }

    private void OnError(IConsumer<byte[]?, byte[]?> consumer, Error error)
    {
        if (error.IsFatal)
        {
            _fatal ??= error;
            StreamProcessorLog.Fatal(_logger, error.Code, error.Reason);
            _stop.Cancel();
            return;
        }

        StreamProcessorLog.ClientError(_logger, error.Code, error.Reason);
    }

    private void OnLog(IConsumer<byte[]?, byte[]?> consumer, LogMessage message)
    {
        var level = message.Level switch
        {
            SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical => LogLevel.Critical,
            SyslogLevel.Error => LogLevel.Error,
            SyslogLevel.Warning => LogLevel.Warning,
            SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
            _ => LogLevel.Debug,
        };
        StreamProcessorLog.Librdkafka(_logger, level, message.Facility, message.Message);
    }

    private async Task HandlerLoopAsync()
    {
        var reader = _batches.Reader;
        var prepare = _owner.Prepare;
        var concurrency = Math.Max(1, _options.MaxConcurrentWrites);
        // Batches being written, oldest first. They may be written side by side, but they complete (and so are
        // committed) strictly in order: a batch is acknowledged only after every batch before it was.
        var writing = new Queue<(Batch Batch, Task<Attempt> Attempt)>(concurrency);
        (Batch Batch, Task<object?>? Prepared)? ahead = null;
        while (true)
        {
            Batch batch;
            Task<object?>? prepared;
            if (ahead is { } next)
            {
                (batch, prepared) = next;
                ahead = null;
            }
            else if (reader.TryRead(out var read))
            {
                (batch, prepared) = (read, StartPrepare(prepare, read));
            }
            else if (writing.Count > 0)
            {
                // Nothing new yet: finish the oldest write, unless a batch arrives first.
                var oldest = writing.Peek().Attempt;
                var arrival = reader.WaitToReadAsync(CancellationToken.None).AsTask();
                var first = await Task.WhenAny(oldest, arrival).ConfigureAwait(false);
                // A completed channel answers at once with false: then only the writes are left to wait for.
                if (first == oldest || arrival is { IsCompletedSuccessfully: true, Result: false })
                {
                    await FinishOldestAsync(writing).ConfigureAwait(false);
                }

                continue;
            }
            else if (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                continue;
            }
            else
            {
                break;
            }

            // Transform the following batch while this one is stored.
            if (prepare is not null && reader.TryRead(out var following))
            {
                ahead = (following, StartPrepare(prepare, following));
            }

            writing.Enqueue((batch, AttemptAsync(batch, prepared)));
            while (writing.Count >= concurrency)
            {
                await FinishOldestAsync(writing).ConfigureAwait(false);
            }
        }

        while (writing.Count > 0)
        {
            await FinishOldestAsync(writing).ConfigureAwait(false);
        }
    }

    private static Task<object?>? StartPrepare(Func<IReadOnlyList<RawRecord>, object?>? prepare, Batch batch) =>
        prepare is null ? null : Task.Run(() => prepare(batch.Records));

    /// <summary>Stores one batch, with retries; never throws (a failure is the attempt's result).</summary>
    private async Task<Attempt> AttemptAsync(Batch batch, Task<object?>? preparing)
    {
        var started = Stopwatch.GetTimestamp();
        if (_poisoned || _stop.IsCancellationRequested)
        {
            if (preparing is not null)
            {
                // Observe it, so a failed transform of a dropped batch is not an unobserved task exception.
                await preparing.ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }

            return new Attempt(null, null, Stopwatch.GetElapsedTime(started));
        }

        try
        {
            var prepared = preparing is null ? null : await preparing.ConfigureAwait(false);
            // The retry waits end on a stop; the sink call itself only on the hard stop.
            var outcome = await _retry.ExecuteAsync(
                static (state, _) => new ValueTask<BatchOutcome>(
                    state.Owner.HandleAsync(state.Batch.Records, state.Prepared, state.HardStop)),
                (Owner: _owner, Batch: batch, Prepared: prepared, HardStop: _hardStop.Token),
                _stop.Token).ConfigureAwait(false);
            return new Attempt(outcome, null, Stopwatch.GetElapsedTime(started));
        }
#pragma warning disable CA1031 // Any failure that outlived the retries means: not acknowledged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (ex is SinkUnavailableException)
            {
                Interlocked.CompareExchange(ref _sinkUnavailable, ex, null);
            }

            // Stop now, not when this batch's turn to complete comes: later batches must not start either.
            _poisoned = true;
            _stop.Cancel();
            return new Attempt(null, ex, Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task FinishOldestAsync(Queue<(Batch Batch, Task<Attempt> Attempt)> writing)
    {
        var (batch, pending) = writing.Dequeue();
        var attempt = await pending.ConfigureAwait(false);
        var outcome = attempt.Outcome;
        if (outcome is null || _abandoned)
        {
            // Never acknowledge a batch after one that was not: its offsets would cover the lost one. (A later
            // batch that was written anyway is read again after a restart; the sinks are idempotent.)
            outcome = null;
            _abandoned = true;
            _poisoned = true;
            StreamProcessorLog.Abandoned(_logger, attempt.Failure, batch.Records.Count);
            _stop.Cancel();
        }

        Complete(batch, outcome, attempt.Elapsed);
    }

    private readonly record struct Attempt(BatchOutcome? Outcome, Exception? Failure, TimeSpan Elapsed);

    private void Complete(Batch batch, BatchOutcome? outcome, TimeSpan elapsed)
    {
        Interlocked.Add(ref _counters._bufferedRecords, -batch.Records.Count);
        if (outcome is not null)
        {
            Interlocked.Increment(ref _counters._batches);
            Interlocked.Add(ref _counters._stored, outcome.RowsInserted);
            Interlocked.Add(ref _counters._deadLetters, outcome.DeadLetters);
            Interlocked.Add(ref _counters._duplicates, outcome.Duplicates);
            Interlocked.Exchange(ref _counters._lastBatchLatencyTicks, elapsed.Ticks);
        }

        _completions.Enqueue(new Completion(batch, outcome is not null));
        _completed.Set();
    }

    private ResiliencePipeline BuildRetryPipeline()
    {
        var metrics = _owner.Metrics;
        var sinkName = _owner.SinkName;
        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                // Every failure is retried (never skip a batch) until the processor stops.
                // A sink that cannot make progress is not retried: the processor stops and the host exits non-zero.
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null and not SinkUnavailableException
                    && !_stop.IsCancellationRequested),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.RetryBaseDelay,
                MaxDelay = _options.RetryMaxDelay,
                MaxRetryAttempts = int.MaxValue,
                OnRetry = args =>
                {
                    Interlocked.Increment(ref _counters._sinkRetries);
                    metrics.SinkRetry(sinkName);
                    StreamProcessorLog.BatchRetry(_logger, args.Outcome.Exception, args.AttemptNumber + 1, args.RetryDelay);
                    return default;
                },
            })
            .Build();
    }

    private IConsumer<byte[]?, byte[]?> BuildConsumer()
    {
        var config = KafkaClientConfig.Consumer(_options.BootstrapServers, _options.GroupId, security: _options.Security);
        // End-of-partition events tell UntilIdle that everything was read.
        config.EnablePartitionEof = _options.UntilIdle is not null;
        if (_options.ConsumerSettings is { } settings)
        {
            foreach (var (key, value) in settings)
            {
                config.Set(key, value);
            }
        }

        return new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetPartitionsAssignedHandler(OnAssigned)
            .SetPartitionsRevokedHandler(OnRevoked)
            .SetPartitionsLostHandler(OnLost)
            .SetErrorHandler(OnError)
            .SetLogHandler(OnLog)
            .Build();
    }

    private List<RawRecord> NewBuffer() => new(Math.Min(_options.MaxBatchRecords, 4096));

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    /// <summary>A batch and, once handed off, the next offset per partition it covers.</summary>
    private sealed class Batch(List<RawRecord> records)
    {
        public List<RawRecord> Records { get; } = records;

        public PartitionOffset[] Offsets { get; set; } = [];
    }

    private readonly record struct PartitionOffset(int Partition, long Next, int Epoch);

    private readonly record struct Completion(Batch Batch, bool Acknowledged);
}
