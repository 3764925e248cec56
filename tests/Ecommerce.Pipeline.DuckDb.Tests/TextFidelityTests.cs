using Ecommerce.Pipeline.Core.Model;

namespace Ecommerce.Pipeline.DuckDb.Tests;

/// <summary>
/// docs/contract.md, "Tables": stored text equals the text received, NUL included, through the Appender path of
/// both tables. Checked with DuckDB's own length() and chr(0), independent of the .NET reader.
/// </summary>
public sealed class TextFidelityTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Nul_and_other_controls_in_row_text_are_stored_whole()
    {
        var like = Rows.Transaction("t-nul");
        var row = new TransactionRow
        {
            TransactionId = like.TransactionId, UserId = like.UserId, ProductId = like.ProductId, Price = like.Price,
            Currency = like.Currency, EventTimestamp = like.EventTimestamp, PaymentMethod = "other",
            PaymentMethodRaw = "vi\0sa", CountryCode = "FR", Continent = "EU", City = "Pa\0ris\u0001",
            GeolocationRaw = "Pa\0ris\u0001, FR \U0001F600\uffff", KafkaTopic = like.KafkaTopic,
            KafkaPartition = like.KafkaPartition, KafkaOffset = like.KafkaOffset, KafkaTimestamp = like.KafkaTimestamp,
            IngestedAt = like.IngestedAt, SourceIndex = like.SourceIndex,
        };
        await using (var sink = new DuckDbSink(_dir.Database))
        {
            await sink.WriteRowsAsync([row], CancellationToken.None);
        }

        var stored = Assert.Single(Db.Query(_dir.Database,
            "SELECT payment_method_raw, length(payment_method_raw), strpos(payment_method_raw, chr(0)), city, geolocation_raw, " +
            "length(geolocation_raw) FROM transactions"));
        Assert.Equal<object?>(["vi\0sa", 5L, 3L, "Pa\0ris\u0001", row.GeolocationRaw, 14L], stored);
    }

    [Fact]
    public async Task A_dead_letter_payload_with_a_raw_nul_is_stored_whole_and_so_is_its_detail()
    {
        // A payload of 137 characters with a NUL at 42: the shape of a value that broke an earlier version.
        var payload = new string('a', 42) + "\0" + new string('b', 94);
        var deadLetter = StoredDeadLetters.At(5, Rows.Ingested, payload: payload, detail: "1\u00000");
        await using (var sink = new DuckDbSink(_dir.Database))
        {
            await sink.WriteDeadLettersAsync([deadLetter], CancellationToken.None);
        }

        var stored = Assert.Single(Db.Query(_dir.Database,
            "SELECT payload, length(payload), strpos(payload, chr(0)), detail, length(detail) FROM dead_letters"));
        Assert.Equal<object?>([payload, 137L, 43L, "1\u00000", 3L], stored);
    }

    [Fact]
    public async Task Empty_text_stays_empty_and_not_null()
    {
        var deadLetter = StoredDeadLetters.At(6, Rows.Ingested, payload: "", detail: "");
        await using (var sink = new DuckDbSink(_dir.Database))
        {
            await sink.WriteDeadLettersAsync([deadLetter], CancellationToken.None);
        }

        Assert.Equal<object?>(["", 0L, false], Assert.Single(Db.Query(_dir.Database,
            "SELECT payload, length(payload), detail IS NULL FROM dead_letters")));
    }
}

/// <summary>
/// The library fact the sink works around: DuckDB.NET's string overload of the Appender passes a C string, so the
/// stored text ends at the first NUL. When this fails, the library carries NUL itself and the byte path can go.
/// </summary>
public sealed class AppenderStringOverloadTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_string_overload_cuts_text_at_nul_and_the_utf8_overload_does_not()
    {
        using var connection = new DuckDB.NET.Data.DuckDBConnection("Data Source=" + System.IO.Path.Combine(_dir.Path, "a.duckdb"));
        connection.Open();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE t (id INTEGER, s VARCHAR)";
            create.ExecuteNonQuery();
        }

        using (var appender = connection.CreateAppender("t"))
        {
            appender.CreateRow().AppendValue((int?)1).AppendValue("vi\0sa").EndRow();
            appender.CreateRow().AppendValue((int?)2).AppendValue(System.Text.Encoding.UTF8.GetBytes("vi\0sa").AsSpan()).EndRow();
        }

        using var query = connection.CreateCommand();
        query.CommandText = "SELECT length(s) FROM t ORDER BY id";
        using var reader = query.ExecuteReader();
        var lengths = new List<long>();
        while (reader.Read())
        {
            lengths.Add(reader.GetInt64(0));
        }

        Assert.Equal([2L, 5L], lengths);
    }
}
