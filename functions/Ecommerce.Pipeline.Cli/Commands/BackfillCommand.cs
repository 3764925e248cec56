using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Ecommerce.Pipeline.BigQuery.StorageWrite;
using Ecommerce.Pipeline.Cli.Hosting;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Hosting;
using Ecommerce.Pipeline.Kafka.Backfill;
using Microsoft.Extensions.Logging;

namespace Ecommerce.Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline backfill</c>: replays the messages whose Kafka timestamp is in [--from, --to) through the same batch
/// handler, sink and dead-letter publisher as <c>process</c>. Idempotent (the sink dedups by transaction_id), and it
/// never joins or commits for any consumer group, so the live group's offsets stay where they are.
/// </summary>
internal static partial class BackfillCommand
{
    public static Command Create()
    {
        var bootstrap = Options.BootstrapServers();
        var from = Instant("--from", "Window start, inclusive: ISO-8601 instant with an offset or Z (e.g. 2026-11-24T10:00:00Z)");
        var to = Instant("--to", "Window end, exclusive: ISO-8601 instant with an offset or Z");
        var topic = Options.Topic();
        // Not the ConsumerGroup setting: that names the live group, whose offsets a backfill must never touch.
        var group = new Option<string>("--group")
        {
            Description = "Group id of the backfill's reader (it never joins the group nor commits)",
            DefaultValueFactory = _ => BackfillOptions.DefaultGroupId,
        };
        var liveGroup = new Option<string>("--live-group")
        {
            Description = $"The live processor's group (default: ${SettingNames.ConsumerGroup}, else {Defaults.ConsumerGroup}); " +
                "with the Storage Write API each partition is read only below its committed offset (read, never joined nor committed)",
        };
        var sink = ProcessCommand.SinkOption();
        var duckdb = Options.DuckDbPath();
        var batchSize = Options.Positive("--batch-size", "Maximum records per batch (one sink write each)", 5000);
        var dryRun = new Option<bool>("--dry-run")
        {
            Description = "Connect, find the start offsets and count the window's messages per partition; write nothing",
        };
        var bigQuery = BigQueryOptions.Create();
        var command = new Command("backfill", "Replay a time range from Kafka into the warehouse (idempotent)")
        {
            bootstrap, from, to, topic, group, liveGroup, sink, duckdb, batchSize, dryRun,
        };
        bigQuery.AddTo(command);
        var settingOptions = new SettingOptions()
            .Add(bootstrap, SettingNames.KafkaBrokerList)
            .Add(topic, SettingNames.TransactionsTopic)
            .Add(liveGroup, SettingNames.ConsumerGroup)
            .Add(sink, SettingNames.Sink)
            .Add(duckdb, SettingNames.DuckDbPath);
        bigQuery.AddTo(settingOptions);
        command.SetAction(async (parse, cancellationToken) => await ExitCodeMapper.GuardedAsync(async () =>
        {
            var start = parse.GetValue(from)!.Value;
            var end = parse.GetValue(to)!.Value;
            if (start >= end)
            {
                throw new UsageException($"--from ({Format(start)}) must be before --to ({Format(end)}).");
            }

            // A backfill refills rows missing below what is stored, which exactly-once's "skip at or below the
            // partition's highest stored offset" would skip: at-least-once unless asked (docs/exactly-once.md).
            var settings = settingOptions.Read(parse, parse.GetValue(bigQuery.Delivery) is null
                ? new Dictionary<string, string?> { [SettingNames.BigQueryDelivery] = BigQueryWriteNames.AtLeastOnce }
                : null);
            var options = new BackfillOptions
            {
                BootstrapServers = settings.KafkaBrokerList,
                Topic = settings.TransactionsTopic,
                GroupId = parse.GetValue(group)!,
                Window = new BackfillWindow(start, end),
                MaxBatchRecords = parse.GetValue(batchSize),
                // Rows written through the Storage Write API (either delivery) raise MAX(kafka_offset), the live
                // exactly-once processor's watermark: past its position, it would skip what it has not stored yet.
                LiveGroupId = settings is { Sink: SinkKind.BigQuery, BigQueryWriteApi: WriteApi.Storage } ? settings.ConsumerGroup : null,
            };
            var isDryRun = parse.GetValue(dryRun);
            // Before the sink: an unreachable cluster must not leave a new, empty warehouse file behind.
            KafkaPreflight.Check(options.BootstrapServers, options.Topic, TimeSpan.FromSeconds(10), settings.KafkaSecurity);

            // On a terminal the progress bar replaces the informational logs; redirected, both go to stderr.
            using var loggers = Logging.Create(BackfillProgress.Interactive ? LogLevel.Warning : LogLevel.Information);
            await using var runtime = await BackfillRuntime.StartAsync(settings, options, isDryRun, loggers, cancellationToken);
            var runner = runtime.Runner;
            var run = isDryRun ? runner.DryRunAsync(cancellationToken) : runner.RunAsync(cancellationToken);
            await BackfillProgress.ShowAsync(runner.Counters, run, isDryRun);
            BackfillSummary summary;
            try
            {
                summary = await run;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // SIGINT/SIGTERM: batches already stored stay stored; nothing was committed anywhere, so a rerun is safe.
                throw new RuntimeFailureException(string.Create(CultureInfo.InvariantCulture,
                    $"backfill interrupted after read={runner.Counters.Read} stored={runner.Counters.Stored}; running it again is safe."));
            }

            if (isDryRun)
            {
                PrintPlan(options, summary);
            }
            else
            {
                foreach (var p in summary.Plan.Where(p => p.LeftToLive > 0))
                {
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"partition={p.Partition} live_committed={Committed(p)} left_to_live={p.LeftToLive}"));
                }

                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"backfill: read={summary.Read} in_window={summary.InWindow} stored={summary.Stored} duplicates={summary.Duplicates} " +
                    $"dead_letters={summary.DeadLetters} left_to_live={summary.LeftToLive} partitions={summary.Partitions} elapsed={summary.Elapsed.TotalSeconds:F1}s"));
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static void PrintPlan(BackfillOptions options, BackfillSummary summary)
    {
        var counts = summary.PerPartition.ToDictionary(c => c.Partition);
        var output = Console.Out;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"backfill plan: topic={options.Topic} from={Format(options.Window.From)} to={Format(options.Window.To)} (dry run, nothing written)"));
        foreach (var p in summary.Plan)
        {
            var c = counts[p.Partition];
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"partition={p.Partition} low={p.Low} high={p.High} start={p.Start} found_by={p.FoundBy.ToString().ToLowerInvariant()} read={c.Read} in_window={c.InWindow}{LeftToLive(p)}"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"backfill (dry run): read={summary.Read} in_window={summary.InWindow} left_to_live={summary.LeftToLive} partitions={summary.Partitions} elapsed={summary.Elapsed.TotalSeconds:F1}s"));
    }

    private static string LeftToLive(PartitionPlan plan) => plan.CappedAtLiveGroup
        ? string.Create(CultureInfo.InvariantCulture, $" live_committed={Committed(plan)} left_to_live={plan.LeftToLive}")
        : "";

    private static string Committed(PartitionPlan plan) =>
        plan.LiveCommitted is { } offset ? offset.ToString(CultureInfo.InvariantCulture) : "none";

    private static string Format(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>An ISO-8601 instant that names its offset (Z or ±hh:mm): a bare local time would be ambiguous.</summary>
    private static Option<DateTimeOffset?> Instant(string name, string description) => new(name)
    {
        Description = description,
        Required = true,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
            if (TryParseInstant(text, out var instant))
            {
                return instant;
            }

            result.AddError($"{name}: '{text}' is not an ISO-8601 instant with an offset or Z, like 2026-11-24T10:00:00Z.");
            return null;
        },
    };

    internal static bool TryParseInstant(string text, out DateTimeOffset instant)
    {
        instant = default;
        return InstantPattern().IsMatch(text)
               && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out instant);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex InstantPattern();
}
