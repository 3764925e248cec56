using System.Globalization;
using DuckDB.NET.Data;
using Ecommerce.Pipeline.Core.Schema;

namespace Ecommerce.Pipeline.DuckDb.Maintenance;

/// <summary>What <see cref="DuckDbCompaction"/> found and did for one day.</summary>
/// <param name="Date">The event_date compacted.</param>
/// <param name="DryRun">Counted only; nothing was written.</param>
/// <param name="WarehouseFound">False when there was no warehouse file (nothing to compact).</param>
/// <param name="RowsBefore">Rows of that day before.</param>
/// <param name="DistinctIds">Distinct transaction_id values of that day.</param>
/// <param name="RowsAfter">Rows of that day after (for a dry run: what a real run would leave).</param>
public sealed record DuckDbCompactionResult(DateOnly Date, bool DryRun, bool WarehouseFound, long RowsBefore, long DistinctIds, long RowsAfter)
{
    public long DuplicatesRemoved => RowsBefore - RowsAfter;
}

/// <summary>
/// <c>pipeline compact</c> on DuckDB: in one transaction, keeps one row per transaction_id for one event_date (the
/// first by kafka_partition, kafka_offset, then ingested_at) and rewrites the day's rows sorted by (event_timestamp,
/// transaction_id), so scans of a day read it in time order. Then it checks, still inside the transaction, that ids
/// are unique, the row count equals the distinct ids before, and the rows are stored in order; any surprise rolls
/// everything back.
/// </summary>
/// <remarks>
/// The sink already stores each transaction_id once; duplicates come from rows written around it (manual loads,
/// restores, files merged by hand). Needs the file to itself: a running processor holds DuckDB's lock and the open
/// fails with a message saying so.
/// </remarks>
public static class DuckDbCompaction
{
    private const string WorkTable = "compact_day";

    /// <param name="path">The warehouse file. A missing file means no rows: nothing is created.</param>
    /// <param name="date">The event_date to compact.</param>
    /// <param name="dryRun">Open read-only and count.</param>
    /// <exception cref="WarehouseException">The file cannot be opened, the SQL failed, or the check afterwards failed.</exception>
    public static DuckDbCompactionResult Run(string path, DateOnly date, bool dryRun)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            return new DuckDbCompactionResult(date, dryRun, WarehouseFound: false, 0, 0, 0);
        }

        using var connection = DuckDbConnections.Open(fullPath, readOnly: dryRun);
        try
        {
            return Compact(connection, date, dryRun);
        }
        catch (DuckDBException e)
        {
            throw new WarehouseException($"Compaction of {date:yyyy-MM-dd} in '{fullPath}' failed: {e.Message.Trim()}", e);
        }
    }

    private static DuckDbCompactionResult Compact(DuckDBConnection connection, DateOnly date, bool dryRun)
    {
        var table = DuckDbSchema.Quote(PipelineSchema.TransactionsTable);
        var day = DayFilter(date);
        var (before, distinct) = Counts(connection, table, day);
        if (before == 0 || dryRun)
        {
            return new DuckDbCompactionResult(date, dryRun, WarehouseFound: true, before, distinct, distinct);
        }

        var columns = string.Join(", ", PipelineSchema.Transactions.Columns.Select(c => DuckDbSchema.Quote(c.Name)));
        var id = Column("transaction_id");
        using var transaction = connection.BeginTransaction();
        DuckDbConnections.Execute(connection,
            $"CREATE TEMP TABLE {WorkTable} AS SELECT {columns} FROM {table} WHERE {day} " +
            $"QUALIFY row_number() OVER (PARTITION BY {id} ORDER BY {Column("kafka_partition")}, {Column("kafka_offset")}, {Column("ingested_at")}) = 1");
        DuckDbConnections.Execute(connection, $"DELETE FROM {table} WHERE {day}");
        // DuckDB keeps the SELECT's order on insert (preserve_insertion_order is on by default): the day is stored sorted.
        DuckDbConnections.Execute(connection,
            $"INSERT INTO {table} ({columns}) SELECT {columns} FROM {WorkTable} ORDER BY {Column("event_timestamp")}, {id}");
        DuckDbConnections.Execute(connection, $"DROP TABLE {WorkTable}");

        var (after, distinctAfter) = Counts(connection, table, day);
        if (after != distinctAfter || after != distinct)
        {
            throw new WarehouseException(string.Create(CultureInfo.InvariantCulture,
                $"Compaction of {date:yyyy-MM-dd} was rolled back: expected {distinct} rows with unique ids, found {after} rows and {distinctAfter} ids."));
        }

        var outOfOrder = OutOfOrderRows(connection, table, day);
        if (outOfOrder != 0)
        {
            throw new WarehouseException(string.Create(CultureInfo.InvariantCulture,
                $"Compaction of {date:yyyy-MM-dd} was rolled back: {outOfOrder} rows were not stored in (event_timestamp, transaction_id) order."));
        }

        transaction.Commit();
        return new DuckDbCompactionResult(date, DryRun: false, WarehouseFound: true, before, distinct, after);
    }

    /// <summary>Rows that follow, in storage order (rowid), a row that sorts after them.</summary>
    internal static long OutOfOrderRows(DuckDBConnection connection, string table, string day)
    {
        var ts = Column("event_timestamp");
        var id = Column("transaction_id");
        return Scalar(connection,
            $"SELECT count(*) FROM (SELECT {ts} AS ts, {id} AS id, lag({ts}) OVER (ORDER BY rowid) AS prev_ts, " +
            $"lag({id}) OVER (ORDER BY rowid) AS prev_id FROM {table} WHERE {day}) " +
            "WHERE prev_ts > ts OR (prev_ts = ts AND prev_id > id)");
    }

    internal static string DayFilter(DateOnly date) =>
        Column("event_date") + " = DATE " + DuckDbSchema.Literal(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

    private static (long Rows, long Distinct) Counts(DuckDBConnection connection, string table, string day)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*), count(DISTINCT {Column("transaction_id")}) FROM {table} WHERE {day}";
        using var reader = command.ExecuteReader();
        reader.Read();
        return (Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture));
    }

    internal static long Scalar(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    // Through the schema, so a renamed column fails here rather than in SQL.
    private static string Column(string name) => DuckDbSchema.Quote(PipelineSchema.Transactions[name].Name);
}
