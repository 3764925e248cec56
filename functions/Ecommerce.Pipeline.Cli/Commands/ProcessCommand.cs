using System.CommandLine;
using System.Globalization;
using Ecommerce.Pipeline.Cli.Hosting;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Hosting;
using Ecommerce.Pipeline.Kafka.Consuming;
using Ecommerce.Pipeline.Metrics;

namespace Ecommerce.Pipeline.Cli.Commands;

/// <summary><c>pipeline process</c>: the stream processor, until SIGINT/SIGTERM or, with --until-idle, until quiet.</summary>
internal static class ProcessCommand
{
    public static Command Create()
    {
        var bootstrap = Options.BootstrapServers();
        var topic = Options.Topic();
        var group = new Option<string>("--group") { Description = $"Consumer group (default: ${SettingNames.ConsumerGroup}, else {Defaults.ConsumerGroup})" };
        var sink = SinkOption();
        var duckdb = Options.DuckDbPath();
        var untilIdle = Options.Duration("--until-idle", "Exit 0 once no message arrived for this long and all is stored and committed");
        var metricsPort = Options.MetricsPort();
        // Larger than the library default (500): a backlog is read in fewer, larger sink writes (BigQuery requests are
        // still split at 500 rows); the 250 ms bound keeps batches small when traffic is light.
        var batchSize = Options.Positive("--batch-size", "Maximum records per batch (also bounded by 4 MiB and 250 ms)", 5000);
        var bigQuery = BigQueryOptions.Create();
        var command = new Command("process", "Run the stream processor: consume, transform, store, dead-letter, commit")
        {
            bootstrap, topic, group, sink, duckdb, untilIdle, metricsPort, batchSize,
        };
        bigQuery.AddTo(command);
        var settingOptions = new SettingOptions()
            .Add(bootstrap, SettingNames.KafkaBrokerList)
            .Add(topic, SettingNames.TransactionsTopic)
            .Add(group, SettingNames.ConsumerGroup)
            .Add(sink, SettingNames.Sink)
            .Add(duckdb, SettingNames.DuckDbPath)
            // The CLI's port is the option's (default 9464), never the function app's MetricsPort setting.
            .Add(metricsPort, PipelineSettings.MetricsPortSetting, always: true);
        bigQuery.AddTo(settingOptions);
        command.SetAction((parse, cancellationToken) => ExitCodeMapper.GuardedAsync(async () =>
        {
            var settings = settingOptions.Read(parse);
            var options = new StreamProcessorOptions
            {
                BootstrapServers = settings.KafkaBrokerList,
                Topic = settings.TransactionsTopic,
                GroupId = settings.ConsumerGroup,
                UntilIdle = parse.GetValue(untilIdle),
                MaxBatchRecords = parse.GetValue(batchSize),
                // 5,000 transactions are about 1.3 MB: the byte bound must not be what cuts a backlog's batches.
                MaxBatchBytes = 4 * 1024 * 1024,
            };
            using var loggers = Logging.Create();
            using var endpoint = MetricsEndpoint.Start(settings.MetricsPort);
            await using var runtime = await PipelineRuntime.StartAsync(settings, options, loggers, cancellationToken);
            var summary = await runtime.RunAsync(cancellationToken);
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"processed: consumed={summary.Consumed} stored={summary.Stored} dead_letters={summary.DeadLetters} " +
                $"duplicates={summary.Duplicates} batches={summary.Batches} commits={summary.Commits} " +
                $"retries={summary.SinkRetries} elapsed={summary.Elapsed.TotalSeconds:F1}s stop={summary.Reason.ToString().ToLowerInvariant()}"));
            if (options.UntilIdle is not null && summary.Reason != StreamProcessorStopReason.Idle)
            {
                // A script waiting for "everything stored" must not read an interrupted run as that.
                throw new RuntimeFailureException(
                    "process: stopped before the topic went idle; what was stored is committed, run it again to finish");
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    // No default of its own: when not given, the Sink setting (environment) decides, read with the other settings.
    internal static Option<string> SinkOption() => new("--sink")
    {
        Description = $"Warehouse: duckdb or bigquery (default: ${SettingNames.Sink}, else {Defaults.Sink.Name()})",
        Validators = { r => { if (!SinkKinds.TryParse(r.GetValueOrDefault<string>(), out _)) { r.AddError("--sink must be duckdb or bigquery."); } } },
    };
}
