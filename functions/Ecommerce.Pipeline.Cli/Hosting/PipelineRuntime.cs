using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.Hosting;
using Ecommerce.Pipeline.Kafka.Consuming;
using Ecommerce.Pipeline.Metrics;
using Microsoft.Extensions.Logging;

namespace Ecommerce.Pipeline.Cli.Hosting;

/// <summary>
/// The stream processor with everything it needs, as <c>process</c>, <c>dev</c> and <c>bench</c> run it: sink,
/// dead-letter publisher, batch processor, metrics, and a lag reader refreshing <c>pipeline_consumer_lag</c>.
/// </summary>
internal sealed class PipelineRuntime : IAsyncDisposable
{
    private readonly ILoggerFactory _loggers;
    private readonly PipelineParts _parts;
    private readonly ConsumerLagReader _lagReader;
    private readonly CancellationTokenSource _lagLoopStop = new();
    private Task _lagLoop = Task.CompletedTask;
    private long _lastLag = -1;

    private PipelineRuntime(PipelineParts parts, StreamProcessor processor, LatencyRecorder latency, ILoggerFactory loggers)
    {
        _parts = parts;
        _loggers = loggers;
        Processor = processor;
        Latency = latency;
        var options = processor.Options;
        _lagReader = new ConsumerLagReader(options.BootstrapServers, options.GroupId, security: parts.Settings.KafkaSecurity);
    }

    /// <summary>
    /// Builds the pipeline from <paramref name="settings"/> (<see cref="PipelineFactory"/>): the sink is checked
    /// first, then the cluster and topic, before any Kafka client exists, so an unreachable cluster is one clear
    /// line, not librdkafka retrying in the background. <paramref name="options"/> get the settings' Kafka security
    /// and the sink's number of overlapping writes.
    /// </summary>
    public static async Task<PipelineRuntime> StartAsync(PipelineSettings settings, StreamProcessorOptions options,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        options = options with { Security = settings.KafkaSecurity, MaxConcurrentWrites = settings.MaxConcurrentWrites };
        var latency = new LatencyRecorder();
        var metrics = new CompositeMetrics(PrometheusPipelineMetrics.Instance, latency);
        var parts = await CliPipeline.BuildAsync(settings, metrics,
            () => KafkaPreflight.Check(options.BootstrapServers, options.Topic, TimeSpan.FromSeconds(10), settings.KafkaSecurity),
            cancellationToken, loggers);
        try
        {
            PrometheusPipelineMetrics.InitializeSink(parts.Sink.Name);
            var processor = new StreamProcessor(options, parts.Handler, loggers.CreateLogger<StreamProcessor>(), metrics);
            return new PipelineRuntime(parts, processor, latency, loggers);
        }
        catch
        {
            await parts.DisposeAsync();
            throw;
        }
    }

    public ITransactionSink Sink => _parts.Sink;
    public StreamProcessor Processor { get; }
    public LatencyRecorder Latency { get; }

    /// <summary>Total lag of the group at the last refresh, or −1 before the first.</summary>
    public long LastLag => Interlocked.Read(ref _lastLag);

    /// <summary>When set before <see cref="RunAsync"/>: sampled every second for the run's HTML charts.</summary>
    public RunCharts? Charts { get; set; }

    public async Task<StreamProcessorSummary> RunAsync(CancellationToken cancellationToken)
    {
        _lagLoop = RefreshLagAsync(TimeSpan.FromSeconds(2), _lagLoopStop.Token);
        var health = PublishKafkaHealthAsync(TimeSpan.FromSeconds(1), _lagLoopStop.Token);
        var charting = Charts is { } charts ? SampleAsync(charts, TimeSpan.FromSeconds(1), _lagLoopStop.Token) : Task.CompletedTask;
        try
        {
            return await Processor.RunAsync(cancellationToken);
        }
        finally
        {
            await _lagLoopStop.CancelAsync();
            await _lagLoop;
            await health;
            await charting;
        }
    }

    private async Task SampleAsync(RunCharts charts, TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        var window = Latency.Snapshot();
        charts.Add(new RunSample(DateTimeOffset.UtcNow, 0, 0, 0, LastLag, null, null));
        bool more;
        do
        {
            // Latency per interval (not since the start), so the chart shows how it changes.
            more = await WaitAsync(timer, cancellationToken);
            var latency = Latency.Since(window, 50, 99);
            window = Latency.Snapshot();
            var c = Processor.Counters;
            charts.Add(new RunSample(DateTimeOffset.UtcNow, c.Consumed, c.Stored, c.DeadLetters, LastLag, latency?[0], latency?[1]));
        }
        while (more);
    }

    // Its own loop: while the cluster is unreachable a lag read can take many seconds, and these gauges matter most then.
    private async Task PublishKafkaHealthAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        do
        {
            var c = Processor.Counters;
            KafkaConsumerHealthGauge.Set(c.CommitFailures, c.Rebalances, c.WithoutLeader, c.WithoutFetchProgress, c.SinceContact);
        }
        while (await WaitAsync(timer, cancellationToken));
    }

    private async Task RefreshLagAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        var topic = Processor.Options.Topic;
        var log = _loggers.CreateLogger<PipelineRuntime>();
        using var timer = new PeriodicTimer(interval);
        do
        {
            try
            {
                var lag = await _lagReader.ReadAsync(topic, TimeSpan.FromSeconds(5), cancellationToken);
                ConsumerLagGauge.Set(topic, [.. lag.Partitions.Select(p => (p.Partition, p.Lag))]);

                Interlocked.Exchange(ref _lastLag, lag.Total);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is Confluent.Kafka.KafkaException or TimeoutException)
            {
                // Lag is advisory; a slow metadata call must not disturb processing.
                LagRefreshFailed(log, ex);
            }
        }
        while (await WaitAsync(timer, cancellationToken));
    }

    /// <summary>
    /// Polls the processor's counters until <paramref name="condition"/> holds or <paramref name="run"/> (its
    /// <see cref="RunAsync"/> task, when given) has ended; returns whether the condition holds. Cancellation throws.
    /// </summary>
    public static async Task<bool> WaitUntilAsync(StreamProcessorCounters counters, Func<StreamProcessorCounters, bool> condition,
        Task? run, TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        while (!condition(counters) && run is not { IsCompleted: true })
        {
            await timer.WaitForNextTickAsync(cancellationToken);
        }

        return condition(counters);
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static readonly Action<ILogger, Exception?> LagRefreshFailed =
        LoggerMessage.Define(LogLevel.Debug, new EventId(1, "LagRefreshFailed"), "Consumer lag refresh failed");

    public async ValueTask DisposeAsync()
    {
        await _lagLoopStop.CancelAsync();
        await _lagLoop;
        _lagLoopStop.Dispose();
        _lagReader.Dispose();
        await _parts.DisposeAsync();
    }
}
