using Ecommerce.Pipeline.Core.Model;

namespace Ecommerce.Pipeline.DuckDb.Tests;

/// <summary>
/// The sink remembers only a few recent keys; a duplicate older than those must still be found in the table.
/// </summary>
public sealed class BoundedDeduplicationTests : IDisposable
{
    private static readonly DateTime Monday = new(2025, 3, 3, 9, 0, 0, DateTimeKind.Utc);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_duplicate_is_dropped_after_its_key_has_left_the_cache()
    {
        await using var sink = new DuckDbSink(_dir.Database, recentKeys: 2);
        await sink.WriteRowsAsync([Rows.Transaction("old", price: 1m, at: Monday)], CancellationToken.None);
        // Two newer keys push "old" out of a cache of two.
        await sink.WriteRowsAsync([Rows.Transaction("n1", at: Monday), Rows.Transaction("n2", at: Monday)], CancellationToken.None);

        var replay = await sink.WriteRowsAsync([Rows.Transaction("old", price: 99m, at: Monday), Rows.Transaction("n3", at: Monday)],
            CancellationToken.None);

        Assert.Equal((1, 1), (replay.Inserted, replay.Duplicates));
        Assert.Equal([("n1", 10m), ("n2", 10m), ("n3", 10m), ("old", 1m)],
            Db.Query(_dir.Database, "SELECT transaction_id, price FROM transactions ORDER BY 1").Select(r => ((string)r[0]!, (decimal)r[1]!)));
    }

    [Fact]
    public async Task A_replay_days_later_among_new_days_is_dropped_and_counted_exactly()
    {
        await using var sink = new DuckDbSink(_dir.Database, recentKeys: 3);
        var monday = Enumerable.Range(0, 10).Select(i => Rows.Transaction("m" + i, at: Monday.AddMinutes(i))).ToArray();
        await sink.WriteRowsAsync(monday, CancellationToken.None);
        var thursday = Enumerable.Range(0, 10).Select(i => Rows.Transaction("t" + i, at: Monday.AddDays(3).AddMinutes(i))).ToArray();
        await sink.WriteRowsAsync(thursday, CancellationToken.None);

        // A backfill of Monday mixed with Friday's new rows, one Friday row twice.
        var friday = Enumerable.Range(0, 5).Select(i => Rows.Transaction("f" + i, at: Monday.AddDays(4).AddMinutes(i))).ToArray();
        var result = await sink.WriteRowsAsync([.. monday, .. friday, friday[0], thursday[9]], CancellationToken.None);

        Assert.Equal((5, 12), (result.Inserted, result.Duplicates));
        Assert.Equal(25, Db.Count(_dir.Database, "transactions"));
        Assert.Equal(0L, Db.Query(_dir.Database,
            "SELECT count(*) FROM (SELECT transaction_id FROM transactions GROUP BY 1 HAVING count(*) > 1)")[0][0]);
    }

    [Fact]
    public async Task A_reopened_file_finds_old_duplicates_without_loading_the_keys()
    {
        await using (var sink = new DuckDbSink(_dir.Database, recentKeys: 1))
        {
            await sink.WriteRowsAsync([Rows.Transaction("a", at: Monday), Rows.Transaction("b", at: Monday)], CancellationToken.None);
            await sink.WriteDeadLettersAsync([Rows.DeadLetter(5), Rows.DeadLetter(6)], CancellationToken.None);
        }

        await using (var reopened = new DuckDbSink(_dir.Database, recentKeys: 1))
        {
            var result = await reopened.WriteRowsAsync([Rows.Transaction("a", at: Monday), Rows.Transaction("c", at: Monday)],
                CancellationToken.None);
            Assert.Equal((1, 1), (result.Inserted, result.Duplicates));
            await reopened.WriteDeadLettersAsync([Rows.DeadLetter(5), Rows.DeadLetter(7), Rows.DeadLetter(6)], CancellationToken.None);
        }

        Assert.Equal(3, Db.Count(_dir.Database, "transactions"));
        Assert.Equal([5L, 6L, 7L], Db.Query(_dir.Database, "SELECT kafka_offset FROM dead_letters ORDER BY 1").Select(r => (long)r[0]!));
    }

    [Fact]
    public async Task The_latest_stored_row_replayed_after_a_reopen_is_a_duplicate_even_below_a_microsecond()
    {
        // DuckDB keeps microseconds; the row's time has ticks below that, so only a comparison at DuckDB's precision
        // sends the replay to the table instead of taking it for a row later than everything stored.
        var latest = Monday.AddTicks(12_345_677);
        await using (var sink = new DuckDbSink(_dir.Database, recentKeys: 1))
        {
            await sink.WriteRowsAsync([Rows.Transaction("early", at: Monday), Rows.Transaction("last", at: latest)], CancellationToken.None);
        }

        await using var reopened = new DuckDbSink(_dir.Database, recentKeys: 1);
        var replay = await reopened.WriteRowsAsync([Rows.Transaction("last", price: 99m, at: latest), Rows.Transaction("later", at: latest.AddTicks(10))],
            CancellationToken.None);

        Assert.Equal((1, 1), (replay.Inserted, replay.Duplicates));
        Assert.Equal(3, Db.Count(_dir.Database, "transactions"));
    }

    [Fact]
    public async Task Rows_later_than_all_stored_go_in_and_a_duplicate_at_the_latest_time_is_still_found()
    {
        await using var sink = new DuckDbSink(_dir.Database, recentKeys: 1);
        await sink.WriteRowsAsync([Rows.Transaction("a", at: Monday)], CancellationToken.None);
        await sink.WriteRowsAsync([Rows.Transaction("b", at: Monday.AddHours(1))], CancellationToken.None);
        // "b" leaves the cache of one; its time is now the latest stored.
        await sink.WriteRowsAsync([Rows.Transaction("c", at: Monday.AddMinutes(30))], CancellationToken.None);

        var replay = await sink.WriteRowsAsync(
            [Rows.Transaction("b", price: 99m, at: Monday.AddHours(1)), Rows.Transaction("a", price: 99m, at: Monday), Rows.Transaction("d", at: Monday.AddHours(2))],
            CancellationToken.None);

        Assert.Equal((1, 2), (replay.Inserted, replay.Duplicates));
        Assert.Equal([("a", 10m), ("b", 10m), ("c", 10m), ("d", 10m)],
            Db.Query(_dir.Database, "SELECT transaction_id, price FROM transactions ORDER BY 1").Select(r => ((string)r[0]!, (decimal)r[1]!)));
    }

    [Fact]
    public void The_cache_holds_at_most_its_capacity_and_forgets_the_oldest_first()
    {
        var recent = new RecentKeys(3);
        foreach (var key in new[] { "a", "b", "c", "a", "d" })
        {
            recent.Add(key);
        }

        Assert.Equal(3, recent.Count);
        Assert.False(recent.Contains("a"));
        Assert.True(recent.Contains("b") && recent.Contains("c") && recent.Contains("d"));
    }
}
