using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Confluent.Kafka;
using Ecommerce.Pipeline.Core.Model;
using Microsoft.Extensions.Logging;

namespace Ecommerce.Pipeline.Kafka.Consuming;

/// <summary>
/// One run of a <see cref="StreamProcessor"/>: the consume thread's job (poll, rebalance callbacks, pause/resume,
/// commit, shutdown). Batches are formed by a <see cref="BatchAssembler"/>, ownership and committable offsets kept by
/// a <see cref="PartitionLedger"/>, and batches stored by an <see cref="OrderedBatchWriter"/> on its own task.
/// Fields marked "consume thread" are touched only by the thread that owns the consumer (its loop and the rebalance
/// callbacks, which librdkafka runs inside <c>Consume</c>), so they need no locks; the writer talks to that thread
/// only through <see cref="_batches"/> and <see cref="_completions"/>.
/// </summary>
internal sealed class ConsumeSession : IDisposable
{
    private readonly StreamProcessorOptions _options;
    private readonly StreamProcessorCounters _counters;
    private readonly ILogger _logger;
    private readonly string _topic;

    // Stop taking work: ends the loop, cancels retry waits, makes the writer drop queued batches.
    private readonly CancellationTokenSource _stop;

    // Cancels the sink call itself; fires ShutdownTimeout after a stop so a graceful stop lets it finish.
    private readonly CancellationTokenSource _hardStop = new();

    private readonly Channel<Batch> _batches;
    private readonly ConcurrentQueue<Completion> _completions = new();
    private readonly ManualResetEventSlim _completed = new(false);
    private readonly OrderedBatchWriter _writer;
    private readonly KafkaHealth _health;
    private readonly KafkaFaultLog _faults;
    private readonly PartitionHooks _hooks;

    // Consume thread.
    private readonly BatchAssembler _assembler;
    private readonly PartitionLedger _ledger = new();
    private readonly HashSet<int> _atEnd = []; // partitions whose last event was end-of-partition (UntilIdle only)
    private readonly HashSet<int> _orphaned = []; // lost, and no assignment since: still watched by KafkaHealth
    private int _outstanding; // handed to the writer, no completion seen yet
    private bool _paused;
    private bool _assignmentChanged;
    private bool _joined;
    private long _startedAt;
    private long _lastActivity;
    private long _blockedSince; // when the ready batch last found the queue full (0: not blocked)
    private Task _handlerTask = Task.CompletedTask;

    private volatile Error? _fatal;

    public ConsumeSession(StreamProcessor owner, CancellationToken cancellationToken)
    {
        _options = owner.Options;
        _counters = owner.Counters;
        _logger = owner.Logger;
        _topic = _options.Topic;
        _health = new KafkaHealth(_topic);
        _faults = new KafkaFaultLog(_logger, _health);
        _hooks = new PartitionHooks(owner.PartitionAware, _logger);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _batches = Channel.CreateBounded<Batch>(new BoundedChannelOptions(
            OrderedBatchWriter.QueueCapacity(_options.MaxInFlightBatches, owner.Step))
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _assembler = new BatchAssembler(_options.MaxBatchRecords, _options.MaxBatchBytes, _options.MaxBatchWait,
            TimeProvider.System);
        _writer = new OrderedBatchWriter(owner.Step, RetryPolicy(owner), _options.MaxConcurrentWrites, _stop,
            OnWritten, _hardStop.Token);
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
        var consumer = BuildConsumer();
        _handlerTask = Task.Run(() => _writer.RunAsync(_batches.Reader));
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

        try
        {
            Shutdown(consumer, abort: error is not null || _fatal is not null);
        }
        finally
        {
            Release(consumer);
        }

            // librdkafka refuses to close a consumer with a fatal error, and destroying it may then wait for that
            // close indefinitely (measured: `process` hung after FENCED_INSTANCE_ID; the same hang in Go:
            // confluentinc/confluent-kafka-go#1588). The process is about to fail anyway: free it off this thread.

        if (error is not null)
        {
            ExceptionDispatchInfo.Throw(error);
        }

        _hooks.Failure?.Throw();

        if (_fatal is { } fatal)
        {
            throw new KafkaException(fatal);
        }

        if (_handlerTask.IsFaulted)
        {
            _handlerTask.GetAwaiter().GetResult();
        }

        if (_writer.SinkUnavailable is { } unavailable)
        {
            // Acknowledged offsets were committed by the shutdown above; the failed batch and all after it were not.
            ExceptionDispatchInfo.Throw(unavailable);
        }

        if (_writer.Failure is { } failure)
        {
            // A batch was given up (e.g. its transform threw): the loop stopped, but nobody asked it to.
            throw new BatchAbandonedException(failure);
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
            Store(consumer);
            _faults.Tick();
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
                result = consumer.Consume(_assembler.NextWait(_options.PollInterval));
            }
            catch (ConsumeException ex) when (!ex.Error.IsFatal)
            {
                _faults.Report(ex.Error.Reason);
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
    private void Release(IConsumer<byte[]?, byte[]?> consumer)
    {
        if (_fatal is null)
        {
            consumer.Dispose();
            return;
        }

        // librdkafka refuses to close a consumer with a fatal error, and destroying it may then wait for that
        // close indefinitely (measured: `process` hung after FENCED_INSTANCE_ID; the same hang in Go:
        // confluentinc/confluent-kafka-go#1588). The process is about to fail anyway: free it off this thread.
        _ = Task.Run(consumer.Dispose);
    }

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
                // Only waits; a faulted writer task is rethrown by Run.
                ((IAsyncResult)_handlerTask).AsyncWaitHandle.WaitOne(_options.PollInterval);
            }
            else
            {
                // Keep polling (partitions paused) so the group does not evict this member meanwhile; whatever is
                // returned is discarded: commits come from acknowledgements only.
                TryKafka(() => consumer.Consume(_options.PollInterval));
                DrainCompletions();
                TryKafka(() => Store(consumer));
            }
        }

        DrainCompletions();
        if (!abort)
        {
            TryKafka(() => CommitNow(consumer));
        }

        try
        {
            // Leaves the group now instead of after session.timeout.ms; runs the revoke callback (nothing left to wait for).
            consumer.Close();
        }
        catch (KafkaException ex) when (!ex.Error.IsFatal)
        {
            StreamProcessorLog.CloseFailed(_logger, ex);
        }
        catch (KafkaException ex)
        {
            // After a fatal error the group cannot be left cleanly; the fatal error itself is what is reported.
            StreamProcessorLog.Librdkafka(_logger, LogLevel.Debug, "CLOSE", ex.Message);
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

        if (!_assembler.IsEmpty || _outstanding > 0 || _ledger.ToCommit.Count > 0)
        {
            return false;
        }

        // Every owned partition must have been read to its end: after an assignment or a resume, fetching
        // restarts with a delay that a short UntilIdle could otherwise mistake for a quiet topic.
        foreach (var partition in _ledger.Owned)
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

    private void Append(ConsumeResult<byte[]?, byte[]?> result)
    {
        var partition = result.Partition.Value;
        if (!_ledger.Owns(partition))
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
        _assembler.Append(new RawRecord(key ?? ReadOnlyMemory<byte>.Empty, value ?? ReadOnlyMemory<byte>.Empty,
            result.Topic, partition, result.Offset.Value, timestamp));
        _lastActivity = Stopwatch.GetTimestamp();
        _health.Fetched();
    }

    private void SealIfDue()
    {
        var count = _assembler.SealIfDue();
        if (count == 0)
        {
            return;
        }

        Interlocked.Add(ref _counters._consumed, count);
        var buffered = Interlocked.Add(ref _counters._bufferedRecords, count);
        if (buffered > Volatile.Read(ref _counters._maxBufferedRecords))
        {
            Volatile.Write(ref _counters._maxBufferedRecords, buffered); // only this thread raises the gauge
        }
    }

    /// <summary>
    /// Moves the complete batch to the writer's queue, pausing or resuming as needed. Returns true when the queue
    /// is full but only briefly so: the caller then waits for room instead of polling, because a pause drops
    /// librdkafka's prefetched messages and a resume costs a fetch round trip, which thrashes when the writer is
    /// only momentarily behind.
    /// </summary>
    private bool HandOff(IConsumer<byte[]?, byte[]?> consumer)
    {
        if (_assembler.Ready is { } ready)
        {
            ready.Offsets = _ledger.NextOffsets(ready.Records);
            if (_batches.Writer.TryWrite(ready))
            {
                _outstanding++;
                _assembler.HandedOff();
            }
        }

        if (_assembler.Ready is null)
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

        // The writer is behind: stop fetching (memory stays bounded) but keep polling to stay in the group.
        var assignment = consumer.Assignment;
        consumer.Pause(assignment);
        _paused = true;
        Volatile.Write(ref _counters._paused, 1);
        StreamProcessorLog.Paused(_logger, assignment.Count, _counters.BufferedRecords);
        return false;
    }

    private void WaitForRoom() => _batches.Writer.WaitToWriteAsync().AsTask().Wait(_options.PollInterval);

    private void DrainCompletions()
    {
        while (_completions.TryDequeue(out var completion))
        {
            _outstanding--;
            if (completion.Acknowledged)
            {
                _ledger.Acknowledge(completion.Batch.Offsets);
            }
        }
    }

    /// <summary>
    /// Hands acknowledged offsets to librdkafka's offset store; its auto-committer commits them in the background
    /// every <c>auto.commit.interval.ms</c>. The loop never waits for a broker here: a synchronous commit blocks
    /// while the group coordinator is unreachable, and with it the statistics, the fault log and a stop.
    /// </summary>
    private void Store(IConsumer<byte[]?, byte[]?> consumer)
    {
        var toStore = _ledger.ToCommit;
        if (toStore.Count == 0)
        {
            return;
        }

        foreach (var (partition, next) in toStore)
        {
            try
            {
                consumer.StoreOffset(new TopicPartitionOffset(_topic, new Partition(partition), new Offset(next)));
            }
            catch (KafkaException ex)
            {
                // Only a partition librdkafka no longer has assigned (_STATE); its revoke or loss is on its way.
                StreamProcessorLog.ClientError(_logger, ex.Error.Code, ex.Error.Reason);
            }
        }

        _ledger.Stored();
    }

    /// <summary>
    /// Stores, then commits synchronously what is stored and not known committed: before partitions are let go and
    /// at shutdown. A failure leaves the offsets pending (the auto-committer retries them while they are owned).
    /// </summary>
    private void CommitNow(IConsumer<byte[]?, byte[]?> consumer)
    {
        Store(consumer);
        var pending = _ledger.Uncommitted;
        if (pending.Count == 0)
        {
            return;
        }

        var offsets = new List<TopicPartitionOffset>(pending.Count);
        foreach (var (partition, next) in pending)
        {
            offsets.Add(new TopicPartitionOffset(_topic, new Partition(partition), new Offset(next)));
        }

        try
        {
            consumer.Commit(offsets);
            foreach (var offset in offsets)
            {
                _ledger.Committed(offset.Partition.Value, offset.Offset.Value);
            }

            CommitSucceeded();
        }
        catch (KafkaException ex) when (!ex.Error.IsFatal)
        {
            CommitFailed(ex.Error.Reason);
        }
    }

    /// <summary>
    /// The result of a background (auto) commit; Confluent.Kafka runs this inside <c>Consume</c>, on the consume
    /// thread, and never for <c>Commit</c> calls (IConsumerBuilder.SetOffsetsCommittedHandler, confluent-kafka-dotnet).
    /// </summary>
    private void OnCommitted(IConsumer<byte[]?, byte[]?> consumer, CommittedOffsets committed)
    {
        if (committed.Error.IsError && committed.Error.Code != ErrorCode.Local_NoOffset)
        {
            CommitFailed(committed.Error.Reason);
            return;
        }

        string? failed = null;
        foreach (var offset in committed.Offsets)
        {
            if (offset.Error.IsError)
            {
                failed ??= $"{offset.TopicPartition}: {offset.Error.Reason}";
            }
            else if (offset.Topic == _topic && offset.Offset.Value >= 0)
            {
                _ledger.Committed(offset.Partition.Value, offset.Offset.Value);
            }
        }

        if (failed is not null)
        {
            CommitFailed(failed);
        }
        else if (committed.Offsets.Count > 0)
        {
            CommitSucceeded();
        }
    }

    private void CommitSucceeded()
    {
        Interlocked.Increment(ref _counters._commits);
        _health.Contact();
        _faults.CommitSucceeded();
    }

    private void CommitFailed(string reason)
    {
        // The offsets stay in the store and in the ledger's Uncommitted: the next auto-commit sends them again
        // (librdkafka includes a partition in a commit while its stored position is ahead of its committed one:
        // rd_kafka_topic_partition_list_set_offsets, confluentinc/librdkafka src/rdkafka_partition.c), or, at a
        // revoke or shutdown, the synchronous commit does; newer offsets replace them.
        Interlocked.Increment(ref _counters._commitFailures);
        _faults.CommitFailed(reason);
    }

    /// <summary>Removes not-yet-handed-off records of some partitions; returns how many.</summary>
    private int DropUnsent(Predicate<int> partition)
    {
        var dropped = _assembler.Drop(partition, out var fromReady);
        if (fromReady > 0)
        {
            Interlocked.Add(ref _counters._bufferedRecords, -fromReady);
        }

        return dropped;
    }

    private void OnAssigned(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        var assigned = partitions.Where(p => p.Topic == _topic).Select(p => p.Partition.Value).ToList();
        if (!_hooks.Assigned(assigned, _hardStop.Token))
        {
            // Not owned as far as this loop is concerned: records of these partitions are ignored, and the session
            // stops with the sink's error.
            _stop.Cancel();
            return;
        }

        foreach (var partition in assigned)
        {
            _ledger.Assign(partition);
            _atEnd.Remove(partition);
        }

        // Start fresh from the committed offsets (the default); pause is applied after Consume returns, when the
        // incremental assignment has taken effect.
        _orphaned.Clear();
        _joined = true;
        _assignmentChanged = true;
        Interlocked.Increment(ref _counters._rebalances);
        _lastActivity = Stopwatch.GetTimestamp();
        Volatile.Write(ref _counters._assignedPartitions, _ledger.Count);
        StreamProcessorLog.Assigned(_logger, partitions);
    }

    private void OnRevoked(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> partitions)
    {
        var revoked = partitions.Where(p => p.Topic == _topic).Select(p => p.Partition.Value).ToHashSet();
        Interlocked.Increment(ref _counters._rebalances);
        var dropped = DropUnsent(revoked.Contains);
        WaitForOutstanding();
        CommitNow(consumer);
        Forget(revoked);
        ResumeLeaving(consumer, partitions);
        _hooks.Released(revoked, _hardStop.Token);
        StreamProcessorLog.Revoked(_logger, revoked, dropped);
    }

    private void OnLost(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> partitions)
    {
        // Lost (session expired): someone else may already own them, so commit nothing for them.
        var lost = partitions.Where(p => p.Topic == _topic).Select(p => p.Partition.Value).ToHashSet();
        Interlocked.Increment(ref _counters._rebalances);
        var dropped = DropUnsent(lost.Contains);
        if (_hooks.Active)
        {
            // Nothing is committed for them, but the sink is told only after their batches in flight finished, so
            // it never forgets a partition while still appending to it.
            WaitForOutstanding();
        }

        Forget(lost);
        _orphaned.UnionWith(lost);
        ResumeLeaving(consumer, partitions);
        _hooks.Released(lost, _hardStop.Token);
        StreamProcessorLog.Lost(_logger, lost, dropped);
    }

    /// <summary>
    /// Resumes partitions this member paused (back-pressure) before they leave its assignment. librdkafka keeps an
    /// application's pause on a partition across its unassignment and a later assignment (librdkafka#1849,
    /// confluent-kafka-go#193), while the loop's resume only reaches the partitions assigned at that moment: a
    /// partition lost or revoked while paused would come back paused for good, and nothing would be read from it.
    /// If the loop is still paused when partitions arrive, it pauses them again (<see cref="Loop"/>).
    /// </summary>
    private void ResumeLeaving(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> partitions)
    {
        if (_paused && partitions.Count > 0)
        {
            TryKafka(() => consumer.Resume(partitions.Select(p => p.TopicPartition)));
        }
    }

    private void Forget(HashSet<int> partitions)
    {
        _ledger.Forget(partitions);
        _atEnd.ExceptWith(partitions);
        _lastActivity = Stopwatch.GetTimestamp();
        Volatile.Write(ref _counters._assignedPartitions, _ledger.Count);
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

        _faults.Report(error.Reason);
    }

    private void OnStatistics(IConsumer<byte[]?, byte[]?> consumer, string statistics)
    {
        var watched = _ledger.Owned.ToHashSet();
        watched.UnionWith(_orphaned);
        _health.Update(statistics, watched, _paused);
        _counters.Publish(_health);
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
        if (message.Facility == "FATAL")
        {
            // librdkafka's own line for a fatal error (rd_kafka_set_fatal_error): the processor stops and the CLI's
            // one stderr line says why, so this is no fault that librdkafka retries.
            level = LogLevel.Debug;
        }
        else if (level >= LogLevel.Warning || message.Facility == "FAIL")
        {
            // Also reported through the error callback, and repeated on every reconnect: one line per fault instead.
            _faults.Report(message.Message);
            level = LogLevel.Debug;
        }

        StreamProcessorLog.Librdkafka(_logger, level, message.Facility, message.Message);
    }

    /// <summary>The writer finished a batch (its task, in order): update the counters and hand the result back.</summary>
    private void OnWritten(Batch batch, BatchWrite write)
    {
        var outcome = write.Outcome;
        Interlocked.Add(ref _counters._bufferedRecords, -batch.Records.Count);
        if (outcome is null)
        {
            StreamProcessorLog.Abandoned(_logger, write.Failure, batch.Records.Count);
        }
        else
        {
            Interlocked.Increment(ref _counters._batches);
            Interlocked.Add(ref _counters._stored, outcome.RowsInserted);
            Interlocked.Add(ref _counters._deadLetters, outcome.DeadLetters);
            Interlocked.Add(ref _counters._duplicates, outcome.Duplicates);
            Interlocked.Exchange(ref _counters._lastBatchLatencyTicks, write.Elapsed.Ticks);
        }

        _completions.Enqueue(new Completion(batch, outcome is not null));
        _completed.Set();
    }

    /// <summary>Every failure is retried (never skip a batch) until the processor stops.</summary>
    private BatchRetryPolicy RetryPolicy(StreamProcessor owner)
    {
        var metrics = owner.Metrics;
        var sinkName = owner.SinkName;
        return new BatchRetryPolicy(_options.RetryBaseDelay, _options.RetryMaxDelay, int.MaxValue, RetriesCancellation: true)
        {
            OnRetry = (exception, attempt, delay) =>
            {
                Interlocked.Increment(ref _counters._sinkRetries);
                metrics.SinkRetry(sinkName);
                StreamProcessorLog.BatchRetry(_logger, exception, attempt, delay);
            },
        };
    }

    private IConsumer<byte[]?, byte[]?> BuildConsumer()
    {
        var config = KafkaClientConfig.Consumer(_options.BootstrapServers, _options.GroupId, security: _options.Security);
        // End-of-partition events tell UntilIdle that everything was read.
        config.EnablePartitionEof = _options.UntilIdle is not null;
        // Broker states and partition leaders for KafkaHealth, once a second.
        config.StatisticsIntervalMs = 1000;
        // Offsets are stored (EnableAutoOffsetStore stays false: only acknowledged ones, by Store) and committed by
        // librdkafka's background timer, so no commit blocks the loop. librdkafka also commits the stored offsets of
        // partitions being unassigned, and resets them so none is committed under a later assignment
        // (rd_kafka_assignment_serve_removals, confluentinc/librdkafka src/rdkafka_assignment.c). Whatever it commits
        // was stored, so acknowledged by the sink: at worst (a lost partition) it moves the group's offset back and
        // the new owner re-reads records the sink already has.
        config.EnableAutoCommit = true;
        config.AutoCommitIntervalMs = 1000;
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
            .SetStatisticsHandler(OnStatistics)
            .SetOffsetsCommittedHandler(OnCommitted)
            .Build();
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private readonly record struct Completion(Batch Batch, bool Acknowledged);
}
