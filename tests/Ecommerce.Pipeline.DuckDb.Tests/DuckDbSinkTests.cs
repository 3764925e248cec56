using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Schema;

namespace Ecommerce.Pipeline.DuckDb.Tests;

public sealed class DuckDbSinkTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Creates_the_directory_and_both_tables_as_the_schema_declares()
    {
        await using (var sink = new DuckDbSink(_dir.Database))
        {
            Assert.Equal("duckdb", sink.Name);
        }

        Assert.True(File.Exists(_dir.Database));
        // An independent oracle for the type mapping, spelled as information_schema reports it.
        var expectedType = new Dictionary<ColumnType, string>
        {
            [ColumnType.String] = "VARCHAR",
            [ColumnType.Timestamp] = "TIMESTAMP WITH TIME ZONE",
            [ColumnType.Date] = "DATE",
            [ColumnType.Float64] = "DOUBLE",
            [ColumnType.Int64] = "BIGINT",
        };
        AssertColumns(PipelineSchema.Transactions.Name,
            PipelineSchema.Transactions.Columns.Select(c => (c.Name, c.Type == ColumnType.Numeric ? $"DECIMAL({c.Precision},{c.Scale})" : expectedType[c.Type], c.Nullable)));
        AssertColumns(PipelineSchema.DeadLetters.Name,
            PipelineSchema.DeadLetters.Columns.Select(c => (c.Name, expectedType[c.Type], c.Nullable)));

        var transactionColumns = Db.Query(_dir.Database,
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'transactions' ORDER BY ordinal_position");
        Assert.Equal("transaction_id", transactionColumns[0][0]);
        Assert.Equal("ingested_at", transactionColumns[^1][0]);
        Assert.Equal(18, transactionColumns.Count);
        Assert.Equal("DECIMAL(18,2)", Db.Query(_dir.Database,
            "SELECT data_type FROM information_schema.columns WHERE table_name = 'transactions' AND column_name = 'price'")[0][0]);
    }

    private void AssertColumns(string table, IEnumerable<(string Name, string Type, bool Nullable)> expected)
    {
        var actual = Db.Query(_dir.Database,
                $"SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = '{table}' ORDER BY ordinal_position")
            .Select(r => ((string)r[0]!, (string)r[1]!, (string)r[2]! == "YES"));
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task Rows_round_trip_exactly()
    {
        var microseconds = new DateTime(2025, 2, 28, 23, 59, 59, DateTimeKind.Utc).AddTicks(9_876_540); // .987654
        var rows = new[]
        {
            Rows.Transaction("a", price: 1299.99m, at: microseconds),
            Rows.Transaction("b", price: 0.01m, geo: false),
        };

        await using (var sink = new DuckDbSink(_dir.Database))
        {
            var result = await sink.WriteRowsAsync(rows, CancellationToken.None);
            Assert.Equal(2, result.Inserted);
            Assert.Equal(0, result.Duplicates);
            Assert.Empty(result.Rejected);
        }

        var stored = Db.Query(_dir.Database,
            "SELECT transaction_id, price, price::VARCHAR, epoch_us(event_timestamp), event_date, city, latitude, longitude, " +
            "country_code, continent, geolocation_raw, kafka_partition, kafka_offset, ingested_at, payment_method_raw " +
            "FROM transactions ORDER BY transaction_id");
        Assert.Equal(2, stored.Count);

        Assert.Equal(1299.99m, stored[0][1]);
        Assert.Equal("1299.99", stored[0][2]);
        Assert.Equal((microseconds - DateTime.UnixEpoch).Ticks / 10, stored[0][3]);
        Assert.Equal(new DateOnly(2025, 2, 28), stored[0][4]);
        Assert.Equal("Berlin", stored[0][5]);
        Assert.Equal(52.52, stored[0][6]);
        Assert.Equal(13.405, stored[0][7]);
        Assert.Equal(1L, stored[0][11]);
        Assert.Equal(Rows.Ingested, DateTime.SpecifyKind((DateTime)stored[0][13]!, DateTimeKind.Utc));
        Assert.Equal("CREDIT_CARD", stored[0][14]);

        Assert.Equal(0.01m, stored[1][1]);
        Assert.Equal("0.01", stored[1][2]);
        for (var i = 5; i <= 10; i++)
        {
            Assert.Null(stored[1][i]);
        }
    }

    [Fact]
    public async Task The_same_batch_twice_is_stored_once_and_reported_as_duplicates()
    {
        var batch = Enumerable.Range(0, 50).Select(i => Rows.Transaction("t" + i, offset: i)).ToArray();
        await using var sink = new DuckDbSink(_dir.Database);

        var first = await sink.WriteRowsAsync(batch, CancellationToken.None);
        var second = await sink.WriteRowsAsync(batch, CancellationToken.None);

        Assert.Equal((50, 0), (first.Inserted, first.Duplicates));
        Assert.Equal((0, 50), (second.Inserted, second.Duplicates));
        Assert.Equal(50, Db.Count(_dir.Database, "transactions"));
    }

    [Fact]
    public async Task A_batch_mixing_new_and_stored_ids_keeps_the_first_stored_row()
    {
        await using var sink = new DuckDbSink(_dir.Database);
        await sink.WriteRowsAsync([Rows.Transaction("a", price: 1m), Rows.Transaction("b", price: 2m)], CancellationToken.None);

        var mixed = await sink.WriteRowsAsync(
            [Rows.Transaction("b", price: 20m), Rows.Transaction("c", price: 3m), Rows.Transaction("a", price: 10m),
             Rows.Transaction("c", price: 30m), Rows.Transaction("d", price: 4m)],
            CancellationToken.None);

        Assert.Equal(2, mixed.Inserted); // c (first of the two) and d
        Assert.Equal(3, mixed.Duplicates); // b, a, second c
        Assert.Equal(
            [("a", 1m), ("b", 2m), ("c", 3m), ("d", 4m)],
            Db.Query(_dir.Database, "SELECT transaction_id, price FROM transactions ORDER BY 1").Select(r => ((string)r[0]!, (decimal)r[1]!)));
    }

    [Fact]
    public async Task Duplicates_are_recognised_after_the_file_is_reopened()
    {
        await using (var sink = new DuckDbSink(_dir.Database))
        {
            await sink.WriteRowsAsync([Rows.Transaction("a"), Rows.Transaction("b")], CancellationToken.None);
        }

        await using (var reopened = new DuckDbSink(_dir.Database))
        {
            var result = await reopened.WriteRowsAsync([Rows.Transaction("b"), Rows.Transaction("c")], CancellationToken.None);
            Assert.Equal((1, 1), (result.Inserted, result.Duplicates));
        }

        Assert.Equal(3, Db.Count(_dir.Database, "transactions"));
    }

    [Fact]
    public async Task Two_sinks_on_one_file_in_one_process_share_the_key_index()
    {
        await using var one = new DuckDbSink(_dir.Database);
        await using var two = new DuckDbSink(_dir.Database);

        var results = await Task.WhenAll(
            one.WriteRowsAsync([Rows.Transaction("x"), Rows.Transaction("y")], CancellationToken.None),
            two.WriteRowsAsync([Rows.Transaction("y"), Rows.Transaction("x")], CancellationToken.None));

        Assert.Equal(2, results.Sum(r => r.Inserted));
        Assert.Equal(2, results.Sum(r => r.Duplicates));
        Assert.Equal(2, Db.Count(_dir.Database, "transactions"));
    }

    [Fact]
    public async Task Concurrent_writes_through_one_sink_lose_nothing()
    {
        await using var sink = new DuckDbSink(_dir.Database);
        var batches = Enumerable.Range(0, 8)
            .Select(b => Enumerable.Range(0, 100).Select(i => Rows.Transaction($"{b}-{i}")).ToArray())
            .ToArray();

        var results = await Task.WhenAll(batches.Select(b => Task.Run(() => sink.WriteRowsAsync(b, CancellationToken.None))));

        Assert.Equal(800, results.Sum(r => r.Inserted));
        Assert.Equal(800, Db.Count(_dir.Database, "transactions"));
    }

    [Fact]
    public async Task A_failed_write_stores_nothing_and_leaves_the_ids_free()
    {
        var bad = Rows.Transaction("bad-1", userId: null);
        await using var sink = new DuckDbSink(_dir.Database);

        await Assert.ThrowsAsync<InvalidOperationException>(
            () => sink.WriteRowsAsync([Rows.Transaction("ok-1"), bad], CancellationToken.None));
        Assert.Equal(0, Db.Count(_dir.Database, "transactions"));

        var retry = await sink.WriteRowsAsync([Rows.Transaction("ok-1")], CancellationToken.None);
        Assert.Equal(1, retry.Inserted);
    }

    [Fact]
    public async Task Dead_letters_round_trip_and_are_stored_once_per_topic_partition_offset()
    {
        await using (var sink = new DuckDbSink(_dir.Database))
        {
            await sink.WriteDeadLettersAsync(
                [Rows.DeadLetter(5, payload: "{\"a\":\"é\"}"), Rows.DeadLetter(5, partition: 1), Rows.DeadLetter(5, topic: "other")],
                CancellationToken.None);
            await sink.WriteDeadLettersAsync([Rows.DeadLetter(5, DeadLetterReason.InvalidPrice), Rows.DeadLetter(6)], CancellationToken.None);
        }

        await using (var reopened = new DuckDbSink(_dir.Database))
        {
            await reopened.WriteDeadLettersAsync([Rows.DeadLetter(6), Rows.DeadLetter(5, partition: 1)], CancellationToken.None);
        }

        var stored = Db.Query(_dir.Database,
            "SELECT kafka_topic, kafka_partition, kafka_offset, reason, detail, transaction_id, payload, payload_encoding, epoch_us(failed_at) " +
            "FROM dead_letters ORDER BY kafka_topic, kafka_partition, kafka_offset");
        Assert.Equal(4, stored.Count);
        Assert.Equal(["other", "transactions_stream", "transactions_stream", "transactions_stream"], stored.Select(r => (string)r[0]!));
        var first = stored[1];
        Assert.Equal((0L, 5L), ((long)first[1]!, (long)first[2]!));
        Assert.Equal("malformed_json", first[3]); // the first stored wins over the later invalid_price
        Assert.Equal("detail 5", first[4]);
        Assert.Null(first[5]);
        Assert.Equal("{\"a\":\"é\"}", first[6]);
        Assert.Equal("utf8", first[7]);
        Assert.Equal((new DateTime(2025, 3, 1, 12, 0, 1, DateTimeKind.Utc) - DateTime.UnixEpoch).Ticks / 10 + 1, first[8]);
    }

    [Fact]
    public void A_table_with_another_shape_is_refused_with_a_clear_message()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_dir.Database)!);
        Db.Query(_dir.Database, "CREATE TABLE transactions (transaction_id VARCHAR, price DOUBLE)");

        var error = Assert.Throws<WarehouseException>(() => new DuckDbSink(_dir.Database));

        Assert.Contains("does not match the pipeline schema", error.Message, StringComparison.Ordinal);
        // The file was released: it can be opened again.
        Assert.Equal(0, Db.Count(_dir.Database, "transactions"));
    }

    [Fact]
    public async Task A_query_runner_in_the_same_process_reads_while_the_sink_is_open()
    {
        await using var sink = new DuckDbSink(_dir.Database);
        await sink.WriteRowsAsync([Rows.Transaction("a"), Rows.Transaction("b")], CancellationToken.None);

        using (var runner = DuckDbQueryRunner.Open(_dir.Database))
        {
            Assert.Equal(2L, runner.Execute("SELECT count(*) FROM transactions").Rows[0][0]);
        }

        var later = await sink.WriteRowsAsync([Rows.Transaction("c")], CancellationToken.None);
        Assert.Equal(1, later.Inserted);
    }
}
