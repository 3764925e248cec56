using System.Text.Json;
using Ecommerce.Pipeline.BigQuery.Rest;
using Ecommerce.Pipeline.Core.Schema;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>
/// The checked-in definitions under infra/bigquery are generated from Core's schema; these tests fail when they
/// drift. Regenerate with <c>BIGQUERY_WRITE_INFRA=1 dotnet test tests/Ecommerce.Pipeline.BigQuery.Tests</c>.
/// </summary>
public sealed class TableDefinitionTests
{
    public static TheoryData<string> Files => ["transactions.table.json", "dead_letters.table.json",
        "transactions.schema.json", "dead_letters.schema.json", "transactions.sql", "dead_letters.sql", "views.sql"];

    [Theory]
    [MemberData(nameof(Files))]
    public void Checked_in_definition_matches_the_generated_one(string file)
    {
        var expected = Generate(file);
        var path = Path.Combine(RepoRoot(), "infra", "bigquery", file);
        if (Environment.GetEnvironmentVariable("BIGQUERY_WRITE_INFRA") == "1")
        {
            File.WriteAllText(path, expected);
        }

        Assert.True(File.Exists(path), $"{path} is missing; regenerate (see the class comment).");
        Assert.Equal(expected, File.ReadAllText(path).ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("transactions.table.json")]
    [InlineData("dead_letters.table.json")]
    public void Checked_in_table_json_validates_against_the_discovery_Table_schema(string file)
    {
        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoRoot(), "infra", "bigquery", file))).RootElement;
        Assert.Empty(DiscoveryDocument.Default.Validate(json, "Table"));
    }

    [Fact]
    public void Transactions_definition_is_core_schema_in_bigquery_terms()
    {
        var table = BigQueryTables.Transactions("p", "d");
        var fields = table.Schema!.Fields!;
        Assert.Equal(PipelineSchema.Transactions.Columns.Count, fields.Count);
        // An independent spelling of the contract's mapping (docs/contract.md, "Tables"), not a call back into the code under test.
        var expectedType = new Dictionary<ColumnType, string>
        {
            [ColumnType.String] = "STRING", [ColumnType.Numeric] = "NUMERIC", [ColumnType.Timestamp] = "TIMESTAMP",
            [ColumnType.Date] = "DATE", [ColumnType.Float64] = "FLOAT64", [ColumnType.Int64] = "INT64",
        };
        for (var i = 0; i < fields.Count; i++)
        {
            var column = PipelineSchema.Transactions.Columns[i];
            Assert.Equal(column.Name, fields[i].Name);
            Assert.Equal(expectedType[column.Type], fields[i].Type);
            Assert.Equal(column.Nullable ? "NULLABLE" : "REQUIRED", fields[i].Mode);
        }

        Assert.Equal("NUMERIC(18, 2)", $"{fields[3].Type}({fields[3].Precision}, {fields[3].Scale})");
        Assert.Equal(("DAY", "event_timestamp", "604800000"),
            (table.TimePartitioning!.Type, table.TimePartitioning.Field, table.TimePartitioning.ExpirationMs));
        Assert.Equal(["country_code", "payment_method", "product_id"], table.Clustering!.Fields!);
        Assert.True(table.RequirePartitionFilter);
        Assert.Equal(new TableReference { ProjectId = "p", DatasetId = "d", TableId = "transactions" }.TableId, table.TableReference!.TableId);
    }

    [Fact]
    public void Ddl_partitions_clusters_and_expires()
    {
        var sql = Generate("transactions.sql");
        Assert.Contains("CREATE TABLE IF NOT EXISTS `${PROJECT_ID}.${DATASET_ID}.transactions`", sql, StringComparison.Ordinal);
        Assert.Contains("  price NUMERIC(18, 2) NOT NULL", sql, StringComparison.Ordinal);
        Assert.Contains("  city STRING OPTIONS", sql, StringComparison.Ordinal);
        Assert.Contains("PARTITION BY DATE(event_timestamp)\nCLUSTER BY country_code, payment_method, product_id\n" +
            "OPTIONS(partition_expiration_days=7, require_partition_filter=TRUE);", sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Views_read_only_columns_of_the_schema_within_the_partition_window()
    {
        var columns = PipelineSchema.Transactions.Columns.Select(c => c.Name)
            .Concat(PipelineSchema.DeadLetters.Columns.Select(c => c.Name)).ToHashSet();
        var views = BigQueryViews.All("ds");
        Assert.Equal(["transactions_dedup", "sales_per_minute", "top_products", "revenue_by_country", "payment_mix",
            "user_behaviour", "dead_letters_by_reason"], views.Select(v => v.Name));
        foreach (var (name, sql) in views)
        {
            // Every snake_case identifier that is not a SQL word, an alias or a view is a column of the schema.
            var words = System.Text.RegularExpressions.Regex.Matches(sql, "\\b[a-z]+(?:_[a-z0-9]+)+\\b").Select(m => m.Value);
            var aliases = System.Text.RegularExpressions.Regex.Matches(sql, "AS ([a-z_]+)").Select(m => m.Groups[1].Value).ToHashSet();
            Assert.All(words.Where(w => !aliases.Contains(w) && w != "transactions_dedup" && w != "dead_letters"),
                w => Assert.True(columns.Contains(w), $"{name}: '{w}' is not a column"));
        }

        Assert.Contains("WHERE event_timestamp >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 7 DAY)", views[0].Sql, StringComparison.Ordinal);
        Assert.Contains("WHERE failed_at >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 7 DAY)", views[^1].Sql, StringComparison.Ordinal);
    }

    private static string Generate(string file)
    {
        if (file == "views.sql")
        {
            return BigQueryViews.ToDdl("${PROJECT_ID}.${DATASET_ID}");
        }

        var table = file.StartsWith("transactions", StringComparison.Ordinal)
            ? BigQueryTables.Transactions(null, null)
            : BigQueryTables.DeadLetters(null, null);
        var name = file[..file.IndexOf('.', StringComparison.Ordinal)];
        return file switch
        {
            _ when file.EndsWith(".table.json", StringComparison.Ordinal) => BigQueryTables.ToJson(table),
            _ when file.EndsWith(".schema.json", StringComparison.Ordinal) => BigQueryTables.ToSchemaJson(table),
            _ => BigQueryTables.ToDdl(table, $"${{PROJECT_ID}}.${{DATASET_ID}}.{name}"),
        };
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Functions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Functions.sln not found above the test binaries.");
    }
}
