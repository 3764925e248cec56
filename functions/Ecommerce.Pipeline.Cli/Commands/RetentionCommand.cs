using System.CommandLine;
using System.Globalization;
using Ecommerce.Pipeline.BigQuery.Maintenance;
using Ecommerce.Pipeline.Cli.Hosting;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Core.Schema;
using Ecommerce.Pipeline.DuckDb.Maintenance;

namespace Ecommerce.Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline retention [--days 7]</c>: the rolling window keeps today and the <c>days</c> days before (UTC), as
/// BigQuery's partition expiration does (a day's partition expires that many days after the day ends; see
/// <c>PartitionExpiry</c>). DuckDB: deletes older rows. BigQuery: checks each table's partition expiration, and
/// with --apply sets it (tables.patch); a difference without --apply exits 1.
/// </summary>
internal static class RetentionCommand
{
    public static Command Create()
    {
        // A parser of its own: Options.Positive's validator throws on a non-number ("seven") and crashes instead of exiting 2.
        var days = new Option<int>("--days")
        {
            Description = "Days to keep, today included",
            DefaultValueFactory = _ => Limits.RetentionDays,
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0)
                {
                    return value;
                }

                result.AddError($"--days: '{text}' is not a positive number of days.");
                return 0;
            },
        };
        var sink = ProcessCommand.SinkOption();
        var duckdb = Options.DuckDbPath();
        var apply = new Option<bool>("--apply") { Description = "BigQuery: set the partition expiration when it differs (tables.patch)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only report: count what would be deleted, change nothing (wins over --apply)" };
        var bigQuery = BigQueryOptions.Create(BigQueryWrites.None);
        var command = new Command("retention", "Apply the rolling retention window to the warehouse")
        {
            days, sink, duckdb, apply, dryRun,
        };
        bigQuery.AddTo(command);
        var settingOptions = new SettingOptions().Add(sink, SettingNames.Sink).Add(duckdb, SettingNames.DuckDbPath);
        bigQuery.AddTo(settingOptions);
        command.SetAction((parse, cancellationToken) => ExitCodeMapper.GuardedAsync(async () =>
        {
            var window = parse.GetValue(days);
            var dry = parse.GetValue(dryRun);
            var warehouse = settingOptions.ReadWarehouse(parse);
            if (warehouse.Sink == SinkKind.BigQuery)
            {
                return await BigQueryAsync(BigQueryTarget.From(warehouse), window, parse.GetValue(apply) && !dry, dry, cancellationToken);
            }

            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            var r = DuckDbRetention.Run(warehouse.DuckDbPath, window, today, dry);
            var head = string.Create(CultureInfo.InvariantCulture, $"retention: days={r.Days} keep_from={r.KeepFrom:yyyy-MM-dd}");
            Console.Out.WriteLine(!r.WarehouseFound
                ? $"{head} nothing to delete (no warehouse at {Path.GetFullPath(warehouse.DuckDbPath)}){(dry ? " dry_run=true" : "")}"
                : dry
                    ? string.Create(CultureInfo.InvariantCulture, $"{head} transactions_to_delete={r.Transactions} dead_letters_to_delete={r.DeadLetters} dry_run=true")
                    : string.Create(CultureInfo.InvariantCulture, $"{head} transactions_deleted={r.Transactions} dead_letters_deleted={r.DeadLetters}"));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Task<int> BigQueryAsync(BigQueryTarget target, int days, bool apply, bool dryRun, CancellationToken cancellationToken) =>
        MaintenanceBigQuery.RunAsync(target, async client =>
        {
            var retention = new BigQueryRetention(client, target.Project, target.Dataset);
            var checks = await retention.CheckAsync([target.Table, PipelineSchema.DeadLettersTable], days, apply, cancellationToken);
            foreach (var c in checks)
            {
                var status = c.Updated ? "updated" : c.Matches ? "ok" : "differs";
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"retention: table={c.Table} partition_expiration_ms={BigQueryRetention.Show(c.ExpirationMs)} expected_ms={c.ExpectedMs} days={days} status={status}{(dryRun ? " dry_run=true" : "")}"));
            }

            var differing = checks.Where(c => !c.Matches && !c.Updated).ToList();
            if (differing.Count > 0 && !dryRun)
            {
                var tables = string.Join(", ", differing.Select(c => c.Table + " (" + BigQueryRetention.Show(c.ExpirationMs) + " ms)"));
                throw new RuntimeFailureException(string.Create(CultureInfo.InvariantCulture,
                    $"partition expiration differs from {days} days ({BigQueryRetention.ExpectedMs(days)} ms) on {tables}; run `pipeline retention --apply` to set it."));
            }

            return ExitCodes.Success;
        }, cancellationToken);
}
