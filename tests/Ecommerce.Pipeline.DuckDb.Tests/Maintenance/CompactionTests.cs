using System.Security.Cryptography;
using DuckDB.NET.Data;
using Ecommerce.Pipeline.DuckDb.Maintenance;

namespace Ecommerce.Pipeline.DuckDb.Tests.Maintenance;

/// <summary>
/// Compaction on a real warehouse file. The sink never stores an id twice, so the duplicates are made with plain SQL,
/// as a manual load or a restore would make them.
/// </summary>
public sealed class CompactionTests : IDisposable
{
    private static readonly DateOnly Day = new(2025, 3, 1);
    private static readonly DateTime At = new(2025, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Day 2025-03-01: a, b, c stored out of time order; 2025-02-28: x, y. Then duplicates of a, b, c, x.</summary>
    private async Task SeedAsync()
    {
        await using (var sink = new DuckDbSink(_dir.Database))
        {
            await sink.WriteRowsAsync([
                Rows.Transaction("a", price: 1.00m, at: At.AddHours(11), offset: 5),
                Rows.Transaction("b", price: 2.00m, at: At.AddHours(9), offset: 6),
                Rows.Transaction("c", price: 3.00m, at: At.AddHours(10), offset: 7),
                Rows.Transaction("x", price: 4.00m, at: At.AddHours(-2), offset: 1),
                Rows.Transaction("y", price: 5.00m, at: At.AddHours(-1), offset: 2),
            ], CancellationToken.None);
        }

        // The original a is (partition 1, offset 5). A copy from partition 0 comes first and must win; one from
        // partition 2 must go.
        Exec("INSERT INTO transactions SELECT * REPLACE (0::BIGINT AS kafka_partition, 100::BIGINT AS kafka_offset, 3.33::DECIMAL(18,2) AS price) FROM transactions WHERE transaction_id = 'a'");
        Exec("INSERT INTO transactions SELECT * REPLACE (2::BIGINT AS kafka_partition, 0::BIGINT AS kafka_offset, 2.22::DECIMAL(18,2) AS price) FROM transactions WHERE transaction_id = 'a' AND kafka_partition = 1");
        // b: two exact copies, which must collapse to one.
        Exec("INSERT INTO transactions SELECT * FROM transactions WHERE transaction_id = 'b'");
        Exec("INSERT INTO transactions SELECT * FROM transactions WHERE transaction_id = 'b' LIMIT 1");
        // c: same partition and offset, processed again later: ingested_at breaks the tie, the first stays.
        Exec("INSERT INTO transactions SELECT * REPLACE (ingested_at + INTERVAL 1 HOUR AS ingested_at, 4.44::DECIMAL(18,2) AS price) FROM transactions WHERE transaction_id = 'c'");
        // x (another day): an exact copy that compaction of 2025-03-01 must not touch.
        Exec("INSERT INTO transactions SELECT * FROM transactions WHERE transaction_id = 'x'");
    }

    [Fact]
    public async Task Keeps_the_first_row_per_id_by_partition_offset_and_ingestion_and_stores_the_day_sorted()
    {
        await SeedAsync();
        var otherDayBefore = Dump("event_date <> DATE '2025-03-01'");
        Assert.Equal(8, Count("event_date = DATE '2025-03-01'"));

        var result = DuckDbCompaction.Run(_dir.Database, Day, dryRun: false);

        Assert.Equal((8L, 3L, 3L, 5L), (result.RowsBefore, result.DistinctIds, result.RowsAfter, result.DuplicatesRemoved));
        var day = Db.Query(_dir.Database,
            "SELECT transaction_id, kafka_partition, kafka_offset, price, ingested_at FROM transactions WHERE event_date = DATE '2025-03-01'");
        // A plain scan returns rows in storage order: the rewrite stored them by event_timestamp (b 09:00, c 10:00, a 11:00).
        Assert.Equal(["b", "c", "a"], day.Select(r => (string)r[0]!));
        Assert.Equal((0L, 100L, 3.33m), ((long)day[2][1]!, (long)day[2][2]!, (decimal)day[2][3]!));
        Assert.Equal(2.00m, (decimal)day[0][3]!);
        Assert.Equal((3.00m, Rows.Ingested), ((decimal)day[1][3]!, DateTime.SpecifyKind((DateTime)day[1][4]!, DateTimeKind.Utc)));
        Assert.Equal(otherDayBefore, Dump("event_date <> DATE '2025-03-01'"));
        Assert.Equal(2, Count("transaction_id = 'x'"));
    }

    [Fact]
    public async Task A_second_run_changes_nothing()
    {
        await SeedAsync();
        DuckDbCompaction.Run(_dir.Database, Day, dryRun: false);
        var after = Dump("true");

        var again = DuckDbCompaction.Run(_dir.Database, Day, dryRun: false);

        Assert.Equal((3L, 3L, 3L, 0L), (again.RowsBefore, again.DistinctIds, again.RowsAfter, again.DuplicatesRemoved));
        Assert.Equal(after, Dump("true"));
    }

    [Fact]
    public async Task Dry_run_counts_and_writes_nothing()
    {
        await SeedAsync();
        var before = Dump("true");
        var hash = Hash();

        var result = DuckDbCompaction.Run(_dir.Database, Day, dryRun: true);

        Assert.True(result.DryRun);
        Assert.Equal((8L, 3L, 3L, 5L), (result.RowsBefore, result.DistinctIds, result.RowsAfter, result.DuplicatesRemoved));
        Assert.Equal(before, Dump("true"));
        Assert.Equal(hash, Hash());
    }

    [Fact]
    public async Task A_day_without_rows_and_a_missing_file_are_nothing_to_compact()
    {
        await SeedAsync();
        var before = Dump("true");

        var empty = DuckDbCompaction.Run(_dir.Database, new DateOnly(2025, 1, 1), dryRun: false);
        var missing = DuckDbCompaction.Run(Path.Combine(_dir.Path, "none.duckdb"), Day, dryRun: false);

        Assert.Equal((true, 0L, 0L), (empty.WarehouseFound, empty.RowsBefore, empty.RowsAfter));
        Assert.Equal(before, Dump("true"));
        Assert.False(missing.WarehouseFound);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "none.duckdb")));
    }

    private void Exec(string sql)
    {
        using var connection = new DuckDBConnection("Data Source=" + _dir.Database);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private long Count(string where) => (long)Db.Query(_dir.Database, $"SELECT count(*) FROM transactions WHERE {where}")[0][0]!;

    /// <summary>Every row as text, in storage order.</summary>
    private List<string> Dump(string where) =>
        [.. Db.Query(_dir.Database, $"SELECT * FROM transactions WHERE {where}").Select(r => string.Join('|', r.Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture))))];

    private string Hash() => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(_dir.Database)));
}
