using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.Kafka.Consuming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ecommerce.Pipeline.Kafka.Backfill;

/// <summary>
/// Replays a time window of the topic through the same <see cref="TransactionBatchHandler"/> (transform, sink,
/// dead letters) as the live processor. It is idempotent because the sink is: rows already stored come back as
/// duplicates. It reads with <see cref="KafkaRangeReader"/>, so it neither joins nor commits for any group.
/// It never calls <see cref="IPartitionAwareSink"/>: it owns no partition, so a sink that keeps per-partition state
/// must not trust any between batches (it re-reads what it needs for each batch, as under the Functions host).
/// </summary>
/// <remarks>
/// One thread reads and forms batches; an <see cref="OrderedBatchWriter"/> (the live processor's) stores them in
/// order, transforming the next batch while one is written, so reading, transforming and writing overlap. They meet
/// in a bounded queue. A batch is retried a few times with backoff; if it still fails the backfill stops with that
/// error (a rerun is safe). Nothing is committed: the writer's in-order outcomes only feed the counters.
/// </remarks>
public sealed class BackfillRunner
{
    private readonly IBatchStep? _step;
    private readonly ILogger _logger;
    private int _started;

    public BackfillRunner(BackfillOptions options, TransactionBatchHandler handler, ILogger<BackfillRunner>? logger = null)
        : this(options, new TransactionBatchStep(handler ?? throw new ArgumentNullException(nameof(handler))), logger)
    {
    }

    /// <summary>A runner that can only <see cref="DryRunAsync"/>: it has nowhere to store.</summary>
    public BackfillRunner(BackfillOptions options, ILogger<BackfillRunner>? logger = null)
        : this(options, step: null, logger)
    {
    }

    internal BackfillRunner(BackfillOptions options, IBatchStep? step, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _step = step;
        _logger = logger ?? NullLogger.Instance;
    }

    public BackfillOptions Options { get; }

    /// <summary>Live counters, for a progress display.</summary>
    public BackfillCounters Counters { get; } = new();

    /// <summary>Plans, reads the window and stores it. Throws on a Kafka error or a batch that kept failing. Call once.</summary>
    public Task<BackfillSummary> RunAsync(CancellationToken cancellationToken = default) => StartAsync(dryRun: false, cancellationToken);

    /// <summary>Plans and counts the window's messages per partition; transforms and writes nothing. Call once.</summary>
    public Task<BackfillSummary> DryRunAsync(CancellationToken cancellationToken = default) => StartAsync(dryRun: true, cancellationToken);

    private Task<BackfillSummary> StartAsync(bool dryRun, CancellationToken cancellationToken)
    {
        var step = _step;
        if (!dryRun && step is null)
        {
            throw new InvalidOperationException("This runner has no batch handler; it can only dry-run.");
        }

        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("A BackfillRunner runs once; create a new one to run again.");
        }

        return dryRun || step is null
            ? Task.Factory.StartNew(() => DryRun(cancellationToken), cancellationToken,
                TaskCreationOptions.LongRunning, TaskScheduler.Default)
            : RunCoreAsync(step, cancellationToken);
    }

    private BackfillSummary DryRun(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var reader = new KafkaRangeReader(Options, _logger);
        var plan = reader.Plan(cancellationToken);
        var counts = reader.Read(plan, onBatch: null, Counters, cancellationToken);
        return Summary(plan, counts, started);
    }

    private async Task<BackfillSummary> RunCoreAsync(IBatchStep step, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var batches = Channel.CreateBounded<Batch>(new BoundedChannelOptions(
            OrderedBatchWriter.QueueCapacity(Options.MaxInFlightBatches, step))
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        var storing = Task.Run(() => StoreAllAsync(step, batches.Reader, failed), CancellationToken.None);
        IReadOnlyList<PartitionPlan> plan;
        IReadOnlyList<PartitionCount> counts;
        try
        {
            (plan, counts) = await Task.Factory.StartNew(() =>
            {
                using var reader = new KafkaRangeReader(Options, _logger);
                var plan = reader.Plan(failed.Token);
                var counts = reader.Read(plan, records =>
                {
                    // Blocking here is fine: a manually assigned consumer has no group session to keep alive.
                    batches.Writer.WriteAsync(new Batch(records), failed.Token).AsTask().GetAwaiter().GetResult();
                }, Counters, failed.Token);
                return (plan, counts);
            }, failed.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        }
        catch (Exception readError)
        {
            batches.Writer.TryComplete();
            await failed.CancelAsync().ConfigureAwait(false);
            try
            {
                await storing.ConfigureAwait(false);
            }
            catch (Exception) when (readError is not OperationCanceledException || cancellationToken.IsCancellationRequested)
            {
                // The reader's own error (or the caller's cancellation) is the one to report.
            }

            // When the handler gave up first, awaiting it above already threw its error instead.
            throw;
        }

        batches.Writer.TryComplete();
        await storing.ConfigureAwait(false);
        return Summary(plan, counts, started);
    }

    /// <summary>Stores every queued batch in order; throws the error of a batch that kept failing.</summary>
    private async Task StoreAllAsync(IBatchStep step, ChannelReader<Batch> reader, CancellationTokenSource failed)
    {
        Exception? failure = null;
        var dropped = false;
        var writer = new OrderedBatchWriter(step, RetryPolicy(), maxConcurrentWrites: 1, failed,
            (_, write) =>
            {
                if (write.Outcome is { } outcome)
                {
                    Interlocked.Increment(ref Counters._batches);
                    Interlocked.Add(ref Counters._stored, outcome.RowsInserted);
                    Interlocked.Add(ref Counters._duplicates, outcome.Duplicates);
                    Interlocked.Add(ref Counters._deadLetters, outcome.DeadLetters);
                }
                else
                {
                    // The first batch not stored ends the backfill (the writer stops the reader); later ones are
                    // left unstored for a rerun.
                    failure ??= write.Failure;
                    dropped = true;
                }
            },
            failed.Token);
        await writer.RunAsync(reader).ConfigureAwait(false);
        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        if (dropped)
        {
            // Stopped before a failure, by the caller or the reader's error: the run did not store the window.
            throw new OperationCanceledException(failed.Token);
        }
    }

    private BatchRetryPolicy RetryPolicy() =>
        new(Options.RetryBaseDelay, Options.RetryMaxDelay, Options.MaxBatchAttempts, RetriesCancellation: false)
        {
            OnRetry = (exception, attempt, delay) =>
            {
                Interlocked.Increment(ref Counters._retries);
                BackfillLog.BatchRetry(_logger, exception, attempt, delay);
            },
        };

    private BackfillSummary Summary(IReadOnlyList<PartitionPlan> plan, IReadOnlyList<PartitionCount> counts, long started) =>
        new(Counters.Read, Counters.InWindow, Counters.Stored, Counters.Duplicates, Counters.DeadLetters, Counters.Batches,
            plan, counts, Stopwatch.GetElapsedTime(started));

}
