using System.CommandLine;
using System.Globalization;
using Ecommerce.Pipeline.Cli.Hosting;
using Ecommerce.Pipeline.Cli.Producing;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Kafka.Consuming;
using Ecommerce.Pipeline.Kafka.Embedded;
using Ecommerce.Pipeline.Kafka.Embedded.Chaos;
using Ecommerce.Pipeline.Kafka.Producing;
using Ecommerce.Pipeline.Metrics;

namespace Ecommerce.Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline dev</c>: broker, producer, processor, DuckDB and metrics at once, with a live status line and the
/// analytics report at the end (also after Ctrl+C).
/// </summary>
internal static class DevCommand
{
    public static Command Create()
    {
        var rate = new Option<double>("--rate") { Description = "Transactions per second to produce", DefaultValueFactory = _ => 833 };
        var duration = Options.Duration("--duration", "How long to produce (default: until Ctrl+C)");
        var duckdb = Options.DuckDbPath();
        var metricsPort = Options.MetricsPort();
        var badRatio = new Option<double>("--bad-ratio") { Description = "Share of deliberately bad messages", DefaultValueFactory = _ => 0.01 };
        var chaos = Options.Chaos();
        var command = new Command("dev", "Everything at once on the embedded defaults: broker, producer, processor, warehouse, metrics")
        {
            rate, duration, duckdb, metricsPort, badRatio, chaos,
        };
        var settingOptions = new SettingOptions().Add(duckdb, SettingNames.DuckDbPath);
        command.SetAction((parse, cancellationToken) => ExitCodeMapper.GuardedAsync(() => RunAsync(
            parse, settingOptions, parse.GetValue(rate), parse.GetValue(duration), parse.GetValue(metricsPort),
            parse.GetValue(badRatio), parse.GetValue(chaos), cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, SettingOptions settingOptions, double rate, TimeSpan? duration,
        int metricsPort, double badRatio, ChaosSpec? chaos, CancellationToken cancellationToken)
    {
        if (rate <= 0)
        {
            throw new UsageException("--rate must be positive.");
        }

        using var loggers = Logging.Create(Microsoft.Extensions.Logging.LogLevel.Warning);
        using var cluster = EmbeddedKafkaCluster.Start();
        await using var faults = ChaosRunner.Start(cluster, chaos);
        var settings = settingOptions.Read(parse, EmbeddedBrokerSettings.For(cluster.BootstrapServers, SinkKind.DuckDb, metricsPort));
        var duckDbPath = settings.DuckDbPath;
        using var endpoint = StartEndpoint(metricsPort);
        var err = Console.Error;
        await err.WriteLineAsync($"dev: embedded Kafka at {cluster.BootstrapServers}; warehouse {duckDbPath}; " +
                                 (metricsPort > 0 ? $"metrics http://localhost:{metricsPort}/metrics; " : string.Empty) +
                                 (duration is { } d ? $"producing {rate:N0}/s for {DurationParser.Format(d)}" : $"producing {rate:N0}/s until Ctrl+C"));
        var produceOptions = new ProduceOptions { Rate = rate, Duration = duration, BadRatio = badRatio, Seed = Environment.TickCount };
        if (RetentionGuard.Check(6, produceOptions) is { MayExceed: true, Warning: { } warning })
        {
            await err.WriteLineAsync($"dev: note: {warning} The processor keeps up at this rate, so the backlog stays small.");
        }

        // The processor stops on Ctrl+C, or once the producer is done and everything it sent was consumed.
        using var stopProcessor = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var options = new StreamProcessorOptions
        {
            BootstrapServers = settings.KafkaBrokerList, Topic = settings.TransactionsTopic, GroupId = settings.ConsumerGroup,
        };
        StreamProcessorSummary summary;
        ProduceSummary? produced = null;
        var charts = new RunCharts();
        var runtime = await PipelineRuntime.StartAsync(settings, options, loggers, cancellationToken);
        runtime.Charts = charts;
        await using (runtime.ConfigureAwait(false))
        {
            var processing = runtime.RunAsync(stopProcessor.Token);
            var producer = TransactionProducer.Create(settings.KafkaBrokerList, security: settings.KafkaSecurity);
            var progress = new LatestProgress();
            var producing = ProduceSource.ProduceAsync(producer, produceOptions, progress, cancellationToken);
            using var status = new StatusLine(runtime, progress, () => faults?.LastFault);
            var statusLoop = status.RunAsync(stopProcessor.Token);

            try
            {
                produced = await producing;
                await WaitUntilDrainedAsync(runtime, produced.Acknowledged, TimeSpan.FromSeconds(60), cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                await stopProcessor.CancelAsync();
            }

            summary = await processing;
            await statusLoop;
        }

        // Something to look at without Grafana: throughput, lag and latency of this run, one self-contained page.
        var chartsPath = Path.ChangeExtension(Path.GetFullPath(duckDbPath), ".run.html");
        charts.WriteHtml(chartsPath, "pipeline dev");

        var inv = CultureInfo.InvariantCulture;
        Console.Out.WriteLine();
        Console.Out.WriteLine(string.Create(inv,
            $"dev: produced {produced?.Acknowledged ?? 0:N0}, consumed {summary.Consumed:N0}, stored {summary.Stored:N0}, " +
            $"dead letters {summary.DeadLetters:N0}, duplicates {summary.Duplicates:N0} in {summary.Elapsed.TotalSeconds:F1}s"));
        var p = runtime.Latency.Percentiles(50, 95, 99);
        if (p is not null)
        {
            Console.Out.WriteLine(string.Create(inv, $"dev: end-to-end latency p50 {p[0]:F0} ms, p95 {p[1]:F0} ms, p99 {p[2]:F0} ms"));
        }

        Console.Out.WriteLine($"dev: charts of this run: {chartsPath}");
        Console.Out.WriteLine();
        ReportCommand.Print(duckDbPath);
        return ExitCodes.Success;
    }

    private static IDisposable StartEndpoint(int port)
    {
        try
        {
            return MetricsEndpoint.Start(port);
        }
        catch (System.Net.HttpListenerException ex)
        {
            throw new RuntimeFailureException($"cannot serve metrics on port {port}: {ex.Message} (use --metrics-port)");
        }
    }

    private static async Task WaitUntilDrainedAsync(PipelineRuntime runtime, long produced, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await PipelineRuntime.WaitUntilAsync(runtime.Processor.Counters, c => c.Handled >= produced, null,
                TimeSpan.FromMilliseconds(50), deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("dev: the processor did not catch up within a minute; stopping anyway.");
        }
    }
}
