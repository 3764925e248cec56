using System.CommandLine;
using System.Globalization;
using Ecommerce.Pipeline.BigQuery.Maintenance;
using Ecommerce.Pipeline.Cli.Hosting;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.DuckDb.Maintenance;

namespace Ecommerce.Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline compact --date YYYY-MM-DD</c>: one row per transaction_id for that UTC day. DuckDB: rewritten sorted in
/// one transaction. BigQuery: one MERGE query job over the day partition, refused (insertAll only) while the streaming buffer may
/// still hold rows of that day.
/// </summary>
internal static class CompactCommand
{
    public static Command Create()
    {
        var date = new Option<DateOnly?>("--date")
        {
            Description = "The UTC day (event_date / event_timestamp partition) to compact, YYYY-MM-DD",
            Required = true,
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
                if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                {
                    return day;
                }

                result.AddError($"--date: '{text}' is not a date like 2026-11-24.");
                return null;
            },
        };
        var sink = ProcessCommand.SinkOption();
        var duckdb = Options.DuckDbPath();
        var dryRun = new Option<bool>("--dry-run") { Description = "Report what would change (on BigQuery: a dry-run job's bytes); write nothing" };
        var bigQuery = BigQueryOptions.Create(BigQueryWrites.WriteApi);
        var command = new Command("compact", "Compact one day of the warehouse: one row per transaction_id, sorted")
        {
            date, sink, duckdb, dryRun,
        };
        bigQuery.AddTo(command);
        var settingOptions = new SettingOptions().Add(sink, SettingNames.Sink).Add(duckdb, SettingNames.DuckDbPath);
        bigQuery.AddTo(settingOptions);
        command.SetAction((parse, cancellationToken) => ExitCodeMapper.GuardedAsync(async () =>
        {
            var day = parse.GetValue(date)!.Value;
            var dry = parse.GetValue(dryRun);
            var warehouse = settingOptions.ReadWarehouse(parse);
            var lines = warehouse.Sink == SinkKind.BigQuery
                ? await BigQueryAsync(BigQueryTarget.From(warehouse), day, dry, cancellationToken)
                : DuckDb(warehouse.DuckDbPath, day, dry);
            foreach (var line in lines)
            {
                Console.Out.WriteLine(line);
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static string DryRunFlag(bool dryRun) => dryRun ? " dry_run=true" : "";

    private static List<string> DuckDb(string path, DateOnly day, bool dryRun)
    {
        var r = DuckDbCompaction.Run(path, day, dryRun);
        var d = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (!r.WarehouseFound)
        {
            return [$"compact: date={d} nothing to compact (no warehouse at {Path.GetFullPath(path)}){DryRunFlag(dryRun)}"];
        }

        if (r.RowsBefore == 0)
        {
            return [$"compact: date={d} nothing to compact (no rows){DryRunFlag(dryRun)}"];
        }

        return [string.Create(CultureInfo.InvariantCulture,
            $"compact: date={d} rows_before={r.RowsBefore} rows_after={r.RowsAfter} duplicates_removed={r.DuplicatesRemoved}{DryRunFlag(dryRun)}")];
    }

    private static Task<List<string>> BigQueryAsync(BigQueryTarget target, DateOnly day, bool dryRun, CancellationToken cancellationToken) =>
        MaintenanceBigQuery.RunAsync(target, async client =>
        {
            var compaction = new BigQueryCompaction(client, target.Project, target.Dataset, target.Table) { WriteApi = target.WriteApi };
            var r = await compaction.RunAsync(day, dryRun, cancellationToken);
            var head = string.Create(CultureInfo.InvariantCulture, $"compact: date={day:yyyy-MM-dd} table={r.Table}");
            if (r.DryRun)
            {
                List<string> lines = [string.Create(CultureInfo.InvariantCulture,
                    $"{head} bytes_processed={(r.BytesProcessed?.ToString(CultureInfo.InvariantCulture) ?? "unknown")} dry_run=true")];
                if (r.StreamingBufferNote is not null)
                {
                    lines.Add($"compact: a real run would be refused now: {r.StreamingBufferNote}");
                }

                return lines;
            }

            if (r.RowsBefore == 0)
            {
                return [$"{head} nothing to compact (no rows)"];
            }

            var counts = string.Create(CultureInfo.InvariantCulture,
                $"{head} rows_before={r.RowsBefore} rows_after={r.RowsAfter} duplicates_removed={r.DuplicatesRemoved}");
            return r.Merged
                ? [string.Create(CultureInfo.InvariantCulture,
                    $"{counts} dml_affected_rows={Show(r.AffectedRows)} bytes_processed={Show(r.BytesProcessed)}")]
                : [$"{counts} (ids already unique; no MERGE)"];
        }, cancellationToken);

    private static string Show(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "unknown";
}
