using Ecommerce.Pipeline.DuckDb.Maintenance;

namespace Ecommerce.Pipeline.DuckDb.Tests.Maintenance;

public sealed class RetentionTests : IDisposable
{
    private static readonly DateOnly Today = new(2025, 3, 10);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static DateTime Noon(int daysAgo) => Today.AddDays(-daysAgo).ToDateTime(new TimeOnly(12, 0), DateTimeKind.Utc);

    /// <summary>Transactions 10, 7, 6, 1 and 0 days ago (two 7 days ago); dead letters failed 8, 7 and 6 days ago.</summary>
    private async Task SeedAsync()
    {
        await using var sink = new DuckDbSink(_dir.Database);
        await sink.WriteRowsAsync([
            Rows.Transaction("d10", at: Noon(10)),
            Rows.Transaction("d7a", at: Noon(7)),
            Rows.Transaction("d7b", at: Today.AddDays(-7).ToDateTime(new TimeOnly(23, 59, 59), DateTimeKind.Utc)),
            Rows.Transaction("d6", at: Today.AddDays(-6).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)),
            Rows.Transaction("d1", at: Noon(1)),
            Rows.Transaction("d0", at: Noon(0)),
        ], CancellationToken.None);
        await sink.WriteDeadLettersAsync([
            FailedAt(1, Noon(8)),
            FailedAt(2, Today.AddDays(-6).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddTicks(-10)),
            FailedAt(3, Today.AddDays(-6).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)),
        ], CancellationToken.None);
    }

    private static Core.Model.DeadLetter FailedAt(long offset, DateTime failedAt)
    {
        var d = Rows.DeadLetter(offset);
        return new Core.Model.DeadLetter
        {
            Reason = d.Reason, Detail = d.Detail, TransactionId = d.TransactionId, Payload = d.Payload,
            PayloadEncoding = d.PayloadEncoding, KafkaTopic = d.KafkaTopic, KafkaPartition = d.KafkaPartition,
            KafkaOffset = d.KafkaOffset, FailedAt = failedAt,
        };
    }

    [Fact]
    public async Task Seven_days_keep_today_and_the_seven_days_before_as_bigquery_expiration_does()
    {
        await SeedAsync();

        var result = DuckDbRetention.Run(_dir.Database, 7, Today, dryRun: false);

        Assert.Equal((new DateOnly(2025, 3, 3), 1L, 1L), (result.KeepFrom, result.Transactions, result.DeadLetters));
        Assert.Equal(["d0", "d1", "d6", "d7a", "d7b"], Ids());
        Assert.Equal([2L, 3L], Db.Query(_dir.Database, "SELECT kafka_offset FROM dead_letters ORDER BY 1").Select(r => (long)r[0]!));
    }

    [Fact]
    public async Task Dry_run_counts_the_same_rows_and_deletes_nothing()
    {
        await SeedAsync();

        var result = DuckDbRetention.Run(_dir.Database, 7, Today, dryRun: true);

        Assert.Equal((true, 1L, 1L), (result.DryRun, result.Transactions, result.DeadLetters));
        Assert.Equal(6, Db.Count(_dir.Database, "transactions"));
        Assert.Equal(3, Db.Count(_dir.Database, "dead_letters"));
    }

    [Fact]
    public async Task A_second_run_deletes_nothing_more_and_a_wider_window_keeps_all()
    {
        await SeedAsync();
        DuckDbRetention.Run(_dir.Database, 7, Today, dryRun: false);

        var again = DuckDbRetention.Run(_dir.Database, 7, Today, dryRun: false);
        var wide = DuckDbRetention.Run(_dir.Database, 30, Today, dryRun: false);

        Assert.Equal((0L, 0L), (again.Transactions, again.DeadLetters));
        Assert.Equal((0L, 0L), (wide.Transactions, wide.DeadLetters));
        Assert.Equal(["d0", "d1", "d6", "d7a", "d7b"], Ids());
    }

    [Fact]
    public void A_missing_file_is_nothing_to_delete_and_is_not_created()
    {
        var path = Path.Combine(_dir.Path, "none.duckdb");
        var result = DuckDbRetention.Run(path, 7, Today, dryRun: false);
        Assert.False(result.WarehouseFound);
        Assert.False(File.Exists(path));
    }

    private List<string> Ids() =>
        [.. Db.Query(_dir.Database, "SELECT transaction_id FROM transactions ORDER BY transaction_id").Select(r => (string)r[0]!)];
}
