using System.Text.Json;

namespace Ecommerce.Pipeline.DuckDb.Tests;

public sealed class QueryRunnerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public QueryRunnerTests()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_dir.Database)!);
        Db.Query(_dir.Database, """
            CREATE TABLE t (id BIGINT, name VARCHAR, price DECIMAL(18,2), ts TIMESTAMPTZ, day DATE, ratio DOUBLE);
            INSERT INTO t VALUES
              (1, 'plain', 1299.99, TIMESTAMPTZ '2025-03-01 12:34:56.123456+00', DATE '2025-03-01', 0.5),
              (2, 'has, comma', 15.00, TIMESTAMPTZ '2025-03-01 12:00:00+00', NULL, NULL),
              (3, 'say "hi"' || chr(10) || 'twice', 0.01, NULL, DATE '2024-12-31', -1.25);
            """);
    }

    public void Dispose() => _dir.Dispose();

    private QueryResult Run(string sql)
    {
        using var runner = DuckDbQueryRunner.Open(_dir.Database);
        return runner.Execute(sql);
    }

    [Fact]
    public void Csv_is_a_header_then_rows_with_rfc4180_quoting()
    {
        var csv = QueryResultFormatter.ToCsv(Run("SELECT * FROM t ORDER BY id"));

        Assert.Equal(
            "id,name,price,ts,day,ratio\n" +
            "1,plain,1299.99,2025-03-01T12:34:56.123456Z,2025-03-01,0.5\n" +
            "2,\"has, comma\",15.00,2025-03-01T12:00:00Z,,\n" +
            "3,\"say \"\"hi\"\"\ntwice\",0.01,,2024-12-31,-1.25\n",
            csv);
    }

    [Fact]
    public void Json_is_an_array_of_objects_with_typed_values()
    {
        var json = QueryResultFormatter.Format(Run("SELECT * FROM t ORDER BY id"), QueryOutputFormat.Json);

        using var document = JsonDocument.Parse(json);
        var rows = document.RootElement.EnumerateArray().ToArray();
        Assert.Equal(3, rows.Length);
        Assert.Equal(1, rows[0].GetProperty("id").GetInt64());
        Assert.Equal("1299.99", rows[0].GetProperty("price").GetRawText());
        Assert.Equal("15.00", rows[1].GetProperty("price").GetRawText());
        Assert.Equal("2025-03-01T12:34:56.123456Z", rows[0].GetProperty("ts").GetString());
        Assert.Equal(JsonValueKind.Null, rows[1].GetProperty("ratio").ValueKind);
        Assert.Equal("say \"hi\"\ntwice", rows[2].GetProperty("name").GetString());
    }

    [Fact]
    public void Table_is_aligned_text_with_a_row_count()
    {
        var table = QueryResultFormatter.Format(Run("SELECT id, name, price FROM t WHERE id < 3 ORDER BY id"), QueryOutputFormat.Table);

        Assert.Equal(
            "id | name       |   price\n" +
            "---+------------+--------\n" +
            " 1 | plain      | 1299.99\n" +
            " 2 | has, comma |   15.00\n" +
            "(2 rows)\n",
            table);
    }

    [Fact]
    public void The_raw_result_carries_names_types_and_utc_timestamps()
    {
        var result = Run("SELECT id, ts FROM t WHERE id = 1");

        Assert.Equal(["id", "ts"], result.Columns.Select(c => c.Name));
        var at = Assert.IsType<DateTime>(result.Rows[0][1]);
        Assert.Equal(DateTimeKind.Utc, at.Kind);
        Assert.Equal(new DateTime(2025, 3, 1, 12, 34, 56, DateTimeKind.Utc).AddTicks(1_234_560), at);
    }

    [Fact]
    public void Bad_sql_raises_a_warehouse_exception_with_duckdbs_message()
    {
        using var runner = DuckDbQueryRunner.Open(_dir.Database);

        var syntax = Assert.Throws<WarehouseException>(() => runner.Execute("SELEC 1"));
        var missing = Assert.Throws<WarehouseException>(() => runner.Execute("SELECT * FROM no_such_table"));

        Assert.StartsWith("Parser Error", syntax.Message, StringComparison.Ordinal);
        Assert.Contains("no_such_table", missing.Message, StringComparison.Ordinal);
        // The connection is still usable after an error.
        Assert.Equal(3L, runner.Execute("SELECT count(*) FROM t").Rows[0][0]);
    }

    [Fact]
    public void A_missing_file_is_reported_and_not_created()
    {
        var path = Path.Combine(_dir.Path, "absent", "none.duckdb");

        var error = Assert.Throws<WarehouseException>(() => DuckDbQueryRunner.Open(path));

        Assert.Contains("No warehouse at", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
        Assert.False(Directory.Exists(Path.GetDirectoryName(path)));
    }

    [Fact]
    public void Read_only_refuses_writes()
    {
        using var runner = DuckDbQueryRunner.Open(_dir.Database);

        var error = Assert.Throws<WarehouseException>(() => runner.Execute("DELETE FROM t"));

        Assert.Contains("read-only", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("csv", QueryOutputFormat.Csv)]
    [InlineData("JSON", QueryOutputFormat.Json)]
    [InlineData("table", QueryOutputFormat.Table)]
    public void Formats_parse_ignoring_case(string text, QueryOutputFormat expected)
    {
        Assert.True(QueryResultFormatter.TryParseFormat(text, out var format));
        Assert.Equal(expected, format);
    }

    [Theory]
    [InlineData("xml")]
    [InlineData("1")]
    [InlineData("")]
    public void Unknown_formats_do_not_parse(string text) => Assert.False(QueryResultFormatter.TryParseFormat(text, out _));
}
