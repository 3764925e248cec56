using System.CommandLine;
using System.Globalization;
using Confluent.Kafka;
using Ecommerce.Pipeline.Cli.Hosting;
using Ecommerce.Pipeline.Core.Configuration;
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
        var group = new Option<string>("--group")
        {
            Description = "Consumer group",
            DefaultValueFactory = _ => Options.Env(SettingNames.ConsumerGroup) ?? Defaults.ConsumerGroup,
        };
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
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new StreamProcessorOptions
            {
                BootstrapServers = parse.GetValue(bootstrap)!,
                Topic = parse.GetValue(topic)!,
                GroupId = parse.GetValue(group)!,
                UntilIdle = parse.GetValue(untilIdle),
                MaxBatchRecords = parse.GetValue(batchSize),
                // 5,000 transactions are about 1.3 MB: the byte bound must not be what cuts a backlog's batches.
                MaxBatchBytes = 4 * 1024 * 1024,
            };
            var sinkOptions = new SinkOptions(parse.GetValue(sink)!, parse.GetValue(duckdb)!, bigQuery.Read(parse));
            return await Run.GuardedAsync(async () =>
            {
                using var loggers = Logging.Create();
                using var endpoint = MetricsEndpoint.Start(parse.GetValue(metricsPort));
                await using var runtime = new PipelineRuntime(options, sinkOptions,
                    Options.Env(SettingNames.DeadLetterTopic) ?? Defaults.DeadLetterTopic, loggers);
                var summary = await runtime.RunAsync(cancellationToken);
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"processed: consumed={summary.Consumed} stored={summary.Stored} dead_letters={summary.DeadLetters} " +
                    $"duplicates={summary.Duplicates} batches={summary.Batches} commits={summary.Commits} " +
                    $"retries={summary.SinkRetries} elapsed={summary.Elapsed.TotalSeconds:F1}s stop={summary.Reason.ToString().ToLowerInvariant()}"));
                return ExitCodes.Success;
            });
        });
        return command;
    }

    internal static Option<string> SinkOption() => new("--sink")
    {
        Description = "Warehouse: duckdb or bigquery",
        DefaultValueFactory = _ => Options.Env(SettingNames.Sink) ?? Defaults.Sink,
        Validators = { r => { if (r.GetValueOrDefault<string>() is not ("duckdb" or "bigquery")) { r.AddError("--sink must be duckdb or bigquery."); } } },
    };
}

/// <summary>The BigQuery options of <c>process</c> (CONTRACT §4).</summary>
internal sealed class BigQueryOptions
{
    public Option<string?> Project { get; } = new("--bigquery-project") { Description = "BigQuery project id", DefaultValueFactory = _ => Options.Env(SettingNames.BigQueryProjectId) };
    public Option<string?> Dataset { get; } = new("--bigquery-dataset") { Description = "BigQuery dataset id", DefaultValueFactory = _ => Options.Env(SettingNames.BigQueryDatasetId) };
    public Option<string?> Table { get; } = new("--bigquery-table") { Description = "BigQuery table id", DefaultValueFactory = _ => Options.Env(SettingNames.BigQueryTableId) };
    public Option<string?> Endpoint { get; } = new("--bigquery-endpoint") { Description = "BigQuery endpoint override (emulator); no credentials are used", DefaultValueFactory = _ => Options.Env(SettingNames.BigQueryEndpoint) };

    public static BigQueryOptions Create() => new();

    public BigQuerySettings Read(ParseResult parse) =>
        new(parse.GetValue(Project), parse.GetValue(Dataset), parse.GetValue(Table), parse.GetValue(Endpoint));

    public void AddTo(Command command)
    {
        command.Options.Add(Project);
        command.Options.Add(Dataset);
        command.Options.Add(Table);
        command.Options.Add(Endpoint);
    }
}

/// <summary>Maps failures to the contract's exit codes with one clear line on stderr.</summary>
internal static class Run
{
    public static async Task<int> GuardedAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (UsageException ex)
        {
            await Console.Error.WriteLineAsync($"pipeline: {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (Ecommerce.Pipeline.Core.Processing.SinkUnavailableException ex)
        {
            await Console.Error.WriteLineAsync($"pipeline: error: {ex.Message}");
            return ExitCodes.Failure;
        }
        catch (RuntimeFailureException ex)
        {
            await Console.Error.WriteLineAsync($"pipeline: error: {ex.Message}");
            return ExitCodes.Failure;
        }
        catch (Ecommerce.Pipeline.DuckDb.WarehouseException ex)
        {
            await Console.Error.WriteLineAsync($"pipeline: error: {ex.Message}");
            return ExitCodes.Failure;
        }
        catch (KafkaException ex)
        {
            await Console.Error.WriteLineAsync($"pipeline: error: Kafka: {ex.Error.Reason}");
            return ExitCodes.Failure;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or TimeoutException
                                       || ex.GetType().Name.Contains("DuckDB", StringComparison.Ordinal))
        {
            await Console.Error.WriteLineAsync($"pipeline: error: {ex.Message}");
            return ExitCodes.Failure;
        }
    }
}
