using DuckDB.NET.Data;
using Ecommerce.Pipeline.DuckDb;
using Xunit;

namespace Ecommerce.Pipeline.TestSupport;

/// <summary>
/// A warehouse written by the real sink (three currencies, a dead letter, a view made by its writer) and, beside it,
/// a folder the query sandbox must not reach: a CSV and a Parquet file holding <see cref="Secret"/>. Hostile SQL
/// aims at that folder; a test then checks the secret was never printed and no target file appeared.
/// </summary>
public sealed class SandboxWarehouse : IDisposable
{
    private readonly TempDir _dir = new();

    private SandboxWarehouse()
    {
        Database = Path.Combine(_dir.Path, "warehouse", "warehouse.duckdb");
        Outside = Path.Combine(_dir.Path, "outside");
        Directory.CreateDirectory(Outside);
    }

    public string Database { get; }

    /// <summary>A folder next to the warehouse's, with the canary files.</summary>
    public string Outside { get; }

    /// <summary>What the canary files hold; it must never reach the output of a refused statement.</summary>
    public string Secret { get; } = "canary-" + Guid.NewGuid().ToString("N");

    public string CanaryCsv => Path.Combine(Outside, "canary.csv");
    public string CanaryParquet => Path.Combine(Outside, "canary.parquet");

    /// <summary>
    /// Every kind of statement <c>pipeline query</c> must refuse, by name, with the path that must not exist after it
    /// (null when the statement writes nothing). <c>{out}</c> stands for <see cref="Outside"/>.
    /// </summary>
    public static TheoryData<string> HostileNames => [.. Hostile.Keys];

    private static readonly Dictionary<string, (string Sql, string? Target)> Hostile = new(StringComparer.Ordinal)
    {
        ["copy_to"] = ("COPY transactions TO '{out}/copy.csv'", "copy.csv"),
        ["copy_query_to_parquet"] = ("COPY (SELECT * FROM transactions) TO '{out}/copy.parquet' (FORMAT parquet)", "copy.parquet"),
        ["export_database"] = ("EXPORT DATABASE '{out}/export'", "export"),
        ["read_text"] = ("SELECT content FROM read_text('{out}/canary.csv')", null),
        ["read_csv"] = ("SELECT * FROM read_csv('{out}/canary.csv')", null),
        ["read_parquet"] = ("SELECT * FROM read_parquet('{out}/canary.parquet')", null),
        ["read_json"] = ("SELECT * FROM read_json('{out}/canary.csv')", null),
        ["glob"] = ("SELECT file FROM glob('{out}/*')", null),
        // Refused while running rather than while binding.
        ["sniff_csv"] = ("SELECT * FROM sniff_csv('{out}/canary.csv')", null),
        ["replacement_scan"] = ("SELECT * FROM '{out}/canary.csv'", null),
        ["attach_file"] = ("ATTACH '{out}/attached.duckdb' AS other", "attached.duckdb"),
        ["attach_memory"] = ("ATTACH ':memory:' AS scratch", null),
        ["install"] = ("INSTALL httpfs", null),
        ["load"] = ("LOAD httpfs", null),
        ["set_external_access"] = ("SET enable_external_access = true", null),
        ["reset_lock"] = ("RESET lock_configuration", null),
        ["set_lock_off"] = ("SET lock_configuration = false", null),
        ["pragma_set"] = ("PRAGMA enable_external_access = true", null),
        ["pragma_profiling_to_file"] = ("PRAGMA enable_profiling = 'json'", null),
        ["second_statement"] = ("SELECT 1; COPY transactions TO '{out}/second.csv'", "second.csv"),
        ["second_statement_read"] = ("SELECT 1; SELECT content FROM read_text('{out}/canary.csv')", null),
        ["create_temp_table"] = ("CREATE TEMP TABLE t AS SELECT * FROM transactions", null),
        ["create_macro"] = ("CREATE MACRO twice(x) AS x * 2", null),
        ["create_temp_macro"] = ("CREATE TEMP MACRO twice(x) AS x * 2", null),
        ["delete"] = ("DELETE FROM transactions", null),
        ["drop"] = ("DROP TABLE dead_letters", null),
        ["checkpoint"] = ("CHECKPOINT", null),
    };

    /// <summary>The SQL of a hostile case, and the full path that must not exist after it (or null).</summary>
    public (string Sql, string? MustNotExist) HostileCase(string name)
    {
        var (sql, target) = Hostile[name];
        return (sql.Replace("{out}", Outside, StringComparison.Ordinal), target is null ? null : Path.Combine(Outside, target));
    }

    public static async Task<SandboxWarehouse> CreateAsync()
    {
        var warehouse = new SandboxWarehouse();
        try
        {
            await warehouse.WriteAsync();
            return warehouse;
        }
        catch
        {
            warehouse.Dispose();
            throw;
        }
    }

    private async Task WriteAsync()
    {
        await File.WriteAllTextAsync(CanaryCsv, "secret\n" + Secret + "\n");
        await using (var sink = new DuckDbSink(Database))
        {
            await sink.WriteRowsAsync(
            [
                Rows.Transaction("t1", 100.00m, "DE", "EU", product: "p-a", currency: "EUR"),
                Rows.Transaction("t2", 40.00m, "FR", "EU", product: "p-b", currency: "EUR"),
                Rows.Transaction("t3", 25.00m, "US", "NA", product: "p-a", currency: "USD"),
                Rows.Transaction("t4", 9000m, "JP", "AS", product: "p-c", currency: "JPY"),
            ], CancellationToken.None);
            await sink.WriteDeadLettersAsync([Rows.DeadLetter(1)], CancellationToken.None);
        }

        // The writer's own connection: a view kept in the file, and the Parquet canary outside it.
        using var connection = new DuckDBConnection("Data Source=" + Database);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            CREATE VIEW orders_per_country AS SELECT country_code, count(*) AS orders FROM transactions GROUP BY country_code;
            COPY (SELECT '{Secret}' AS secret) TO '{CanaryParquet}' (FORMAT parquet);
            """;
        command.ExecuteNonQuery();
    }

    public void Dispose() => _dir.Dispose();
}
