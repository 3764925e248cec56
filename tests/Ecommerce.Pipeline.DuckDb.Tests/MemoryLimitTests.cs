namespace Ecommerce.Pipeline.DuckDb.Tests;

/// <summary>The sink bounds DuckDB's buffer pool with the <c>DuckDbMemoryLimit</c> setting.</summary>
public sealed class MemoryLimitTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("64MB", "61.0 MiB")]
    [InlineData("1GiB", "1.0 GiB")]
    public async Task The_file_is_opened_with_the_memory_limit_DuckDB_then_reports(string limit, string reported)
    {
        await using var sink = new DuckDbSink(_dir.Database, limit);
        await sink.WriteRowsAsync([Rows.Transaction("a")], CancellationToken.None);

        Assert.Equal(reported, Db.Query(_dir.Database, "SELECT current_setting('memory_limit')")[0][0]);
    }

    [Fact]
    public async Task Without_a_limit_the_sink_takes_the_bounded_default()
    {
        await using var sink = new DuckDbSink(_dir.Database);

        Assert.Equal("244.1 MiB", Db.Query(_dir.Database, "SELECT current_setting('memory_limit')")[0][0]);
    }
}
