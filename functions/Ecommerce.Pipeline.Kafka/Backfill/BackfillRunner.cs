using System.Diagnostics;
using System.Threading.Channels;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;

namespace Ecommerce.Pipeline.Kafka.Backfill;

/// <summary>
/// Replays a time window of the topic through the same <see cref="TransactionBatchHandler"/> (transform, sink,
/// dead letters) as the live processor. It is idempotent because the sink is: rows already stored come back as
/// duplicates. It reads with <see cref="KafkaRangeReader"/>, so it neither joins nor commits for any group.
/// </summary>
/// <remarks>
/// One thread reads and forms batches; the handler task stores them in order. They meet in a bounded queue, and
/// each batch's transform starts as soon as it is queued, so reading, transforming and writing overlap. A batch is
/// retried a few times with backoff; if it still fails the backfill stops with that error (a rerun is safe).
/// </remarks>
public sealed class BackfillRunner
{
    private readonly Func<IReadOnlyList<RawRecord>, object?, CancellationToken, Task<BatchOutcome>>? _handle;
    private readonly Func<IReadOnlyList<RawRecord>, object?>? _prepare;
    private readonly ILogger _logger;
    private int _started;

    public BackfillRunner(BackfillOptions options, TransactionBatchHandler handler, ILogger<BackfillRunner>? logger = null)
        : this(options, (handler ?? throw new ArgumentNullException(nameof(handler))).Prepare,
            (records, prepared, ct) => handler.HandleAsync(records, prepared as BatchResult, ct), logger)
    {
    }

    /// <summary>A runner that can only <see cref="DryRunAsync"/>: it has nowhere to store.</summary>
    public BackfillRunner(BackfillOptions options, ILogger<BackfillRunner>? logger = null)
        : this(options, null, null, logger)
    {
    }

    internal BackfillRunner(BackfillOptions options, Func<IReadOnlyList<RawRecord>, object?>? prepare,
        Func<IReadOnlyList<RawRecord>, object?, CancellationToken, Task<BatchOutcome>>? handle, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _prepare = prepare;
        _handle = handle;
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
        if (!dryRun && _handle is null)
        {
            throw new InvalidOperationException("This runner has no batch handler; it can only dry-run.");
        }

        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("A BackfillRunner runs once; create a new one to run again.");
        }

        return dryRun ? Task.Factory.StartNew(() => DryRun(cancellationToken), cancellationToken,
                TaskCreationOptions.LongRunning, TaskScheduler.Default)
            : RunCoreAsync(cancellationToken);
    }

    private BackfillSummary DryRun(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var reader = new KafkaRangeReader(Options, _logger);
        var plan = reader.Plan(cancellationToken);
        var counts = reader.Read(plan, onBatch: null, Counters, cancellationToken);
        return Summary(plan, counts, started);
    }

    private async Task<BackfillSummary> RunCoreAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var batches = Channel.CreateBounded<Queued>(new BoundedChannelOptions(Options.MaxInFlightBatches)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        var storing = Task.Run(() => StoreAllAsync(batches.Reader, failed), CancellationToken.None);
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
                    var prepared = _prepare is { } prepare ? Task.Run(() => prepare(records), CancellationToken.None) : null;
                    // Blocking here is fine: a manually assigned consumer has no group session to keep alive.
                    batches.Writer.WriteAsync(new Queued(records, prepared), failed.Token).AsTask().GetAwaiter().GetResult();
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

    private async Task StoreAllAsync(ChannelReader<Queued> reader, CancellationTokenSource failed)
    {
        var retry = BuildRetryPipeline(failed.Token);
        try
        {
            await foreach (var batch in reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                var prepared = batch.Prepared is null ? null : await batch.Prepared.ConfigureAwait(false);
                var outcome = await retry.ExecuteAsync(
                    static (state, ct) => new ValueTask<BatchOutcome>(state.Self._handle!(state.Records, state.Prepared, ct)),
                    (Self: this, batch.Records, Prepared: prepared),
                    failed.Token).ConfigureAwait(false);
                Interlocked.Increment(ref Counters._batches);
                Interlocked.Add(ref Counters._stored, outcome.RowsInserted);
                Interlocked.Add(ref Counters._duplicates, outcome.Duplicates);
                Interlocked.Add(ref Counters._deadLetters, outcome.DeadLetters);
            }
        }
        catch
        {
            // Stop the reader; queued batches are left unstored (a rerun stores them).
            await failed.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private ResiliencePipeline BuildRetryPipeline(CancellationToken stopping) => Options.MaxBatchAttempts == 1
        ? ResiliencePipeline.Empty
        : new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null
                and not SinkUnavailableException and not OperationCanceledException && !stopping.IsCancellationRequested),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = Options.RetryBaseDelay,
            MaxDelay = Options.RetryMaxDelay,
            MaxRetryAttempts = Options.MaxBatchAttempts - 1,
            OnRetry = args =>
            {
                Interlocked.Increment(ref Counters._retries);
                BackfillLog.BatchRetry(_logger, args.Outcome.Exception, args.AttemptNumber + 1, args.RetryDelay);
                return default;
            },
        })
        .Build();

    private BackfillSummary Summary(IReadOnlyList<PartitionPlan> plan, IReadOnlyList<PartitionCount> counts, long started) =>
        new(Counters.Read, Counters.InWindow, Counters.Stored, Counters.Duplicates, Counters.DeadLetters, Counters.Batches,
            plan, counts, Stopwatch.GetElapsedTime(started));

    private sealed record Queued(List<RawRecord> Records, Task<object?>? Prepared);
}
