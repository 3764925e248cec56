namespace Ecommerce.Pipeline.DuckDb.Tests;

/// <summary>A batch's rows and dead letters are stored together or not at all.</summary>
public sealed class BatchTransactionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_dead_letter_that_fails_takes_the_rows_of_its_batch_with_it_and_the_retry_stores_both()
    {
        await using var sink = new DuckDbSink(_dir.Database);
        var rows = new[] { Rows.Transaction("a"), Rows.Transaction("b") };
        var unstorable = StoredDeadLetters.At(7, DateTime.UtcNow, payload: null!); // payload is NOT NULL

        await Assert.ThrowsAsync<InvalidOperationException>(() => sink.WriteBatchAsync(rows, [unstorable], CancellationToken.None));
        Assert.Equal(0, Db.Count(_dir.Database, "transactions"));
        Assert.Equal(0, Db.Count(_dir.Database, "dead_letters"));

        var retry = await sink.WriteBatchAsync(rows, [Rows.DeadLetter(7)], CancellationToken.None);
        Assert.Equal((2, 0), (retry.Inserted, retry.Duplicates));
        var again = await sink.WriteBatchAsync(rows, [Rows.DeadLetter(7)], CancellationToken.None);
        Assert.Equal((0, 2), (again.Inserted, again.Duplicates));
        Assert.Equal(2, Db.Count(_dir.Database, "transactions"));
        Assert.Equal(1, Db.Count(_dir.Database, "dead_letters"));
    }
}
