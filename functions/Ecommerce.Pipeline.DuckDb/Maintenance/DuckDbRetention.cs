using System.Globalization;
using DuckDB.NET.Data;
using Ecommerce.Pipeline.Core.Schema;

namespace Ecommerce.Pipeline.DuckDb.Maintenance;

/// <summary>What <see cref="DuckDbRetention"/> deleted (or, for a dry run, would delete).</summary>
/// <param name="Days">The window: today and this many UTC days before it are kept.</param>
/// <param name="KeepFrom">The oldest UTC day kept.</param>
/// <param name="DryRun">Counted only; nothing was written.</param>
/// <param name="WarehouseFound">False when there was no warehouse file (nothing to delete).</param>
/// <param name="Transactions">Transactions with event_date before <paramref name="KeepFrom"/>.</param>
/// <param name="DeadLetters">Dead letters with failed_at before <paramref name="KeepFrom"/> 00:00 UTC.</param>
public sealed record DuckDbRetentionResult(int Days, DateOnly KeepFrom, bool DryRun, bool WarehouseFound, long Transactions, long DeadLetters);

/// <summary>
/// <c>pipeline retention</c> on DuckDB: deletes the days older than the window, as BigQuery's partition expiration
/// does for the same tables. BigQuery counts a partition's expiration from its boundary, the end of its UTC day
/// (<see cref="PartitionExpiry"/>), so with N days a day's
/// partition goes N days after that day ended and BigQuery keeps today and the N days before it; this keeps the same
/// days (transactions by event_date, dead letters by the UTC day of failed_at, their BigQuery partition columns).
/// </summary>
public static class DuckDbRetention
{
    /// <summary>The oldest UTC day a window of <paramref name="days"/> keeps on <paramref name="today"/>.</summary>
    public static DateOnly KeepFrom(DateOnly today, int days)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        // Any instant of today gives the same day for a whole number of days; its first is as good as any.
        return PartitionExpiry.OldestKept(new DateTimeOffset(today.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), TimeSpan.FromDays(days));
    }

    /// <param name="path">The warehouse file. A missing file means no rows: nothing is created.</param>
    /// <param name="days">The window in days (≥ 1).</param>
    /// <param name="today">Today's UTC date (injected so tests need no clock).</param>
    /// <param name="dryRun">Open read-only and count.</param>
    /// <exception cref="WarehouseException">The file cannot be opened, or the SQL failed.</exception>
    public static DuckDbRetentionResult Run(string path, int days, DateOnly today, bool dryRun)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var keepFrom = KeepFrom(today, days);
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            return new DuckDbRetentionResult(days, keepFrom, dryRun, WarehouseFound: false, 0, 0);
        }

        using var connection = DuckDbConnections.Open(fullPath, readOnly: dryRun);
        try
        {
            var day = keepFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var transactions = $"FROM {DuckDbSchema.Quote(PipelineSchema.TransactionsTable)} " +
                               $"WHERE {DuckDbSchema.Quote(PipelineSchema.Transactions["event_date"].Name)} < DATE {DuckDbSchema.Literal(day)}";
            var deadLetters = $"FROM {DuckDbSchema.Quote(PipelineSchema.DeadLettersTable)} " +
                              $"WHERE {DuckDbSchema.Quote(PipelineSchema.DeadLetters["failed_at"].Name)} < TIMESTAMPTZ {DuckDbSchema.Literal(day + " 00:00:00+00")}";
            if (dryRun)
            {
                return new DuckDbRetentionResult(days, keepFrom, true, true,
                    DuckDbCompaction.Scalar(connection, "SELECT count(*) " + transactions),
                    DuckDbCompaction.Scalar(connection, "SELECT count(*) " + deadLetters));
            }

            using var transaction = connection.BeginTransaction();
            var deletedTransactions = DuckDbConnections.Execute(connection, "DELETE " + transactions);
            var deletedDeadLetters = DuckDbConnections.Execute(connection, "DELETE " + deadLetters);
            transaction.Commit();
            return new DuckDbRetentionResult(days, keepFrom, false, true, deletedTransactions, deletedDeadLetters);
        }
        catch (DuckDBException e)
        {
            throw new WarehouseException($"Retention in '{fullPath}' failed: {e.Message.Trim()}", e);
        }
    }
}
