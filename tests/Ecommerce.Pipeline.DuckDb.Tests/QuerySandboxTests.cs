namespace Ecommerce.Pipeline.DuckDb.Tests;

/// <summary>
/// The session <c>pipeline query</c> and <c>pipeline report</c> run in (<see cref="DuckDbQueryRunner.OpenSandbox"/>):
/// DuckDB's own settings, read back from the bundled library, and the hostile SQL it must refuse without reading or
/// writing anything outside the warehouse. The same cases run through the real CLI in the integration tests.
/// </summary>
public sealed class QuerySandboxTests : IAsyncLifetime
{
    private SandboxWarehouse _warehouse = null!;

    public async Task InitializeAsync() => _warehouse = await SandboxWarehouse.CreateAsync();

    public Task DisposeAsync()
    {
        _warehouse.Dispose();
        return Task.CompletedTask;
    }

    private QueryResult Run(string sql)
    {
        using var runner = DuckDbQueryRunner.OpenSandbox(_warehouse.Database);
        return runner.Execute(sql);
    }

    [Fact]
    public void The_pinned_duckdb_is_1_5_and_the_sandbox_settings_are_in_force()
    {
        // The settings' names and meaning were checked against DuckDB 1.5's documentation (QuerySandbox); a new
        // DuckDB.NET bundling another version must be checked again.
        Assert.StartsWith("v1.5.", (string)Run("SELECT version()").Rows[0][0]!, StringComparison.Ordinal);

        var settings = Run("""
            SELECT name, lower(value) FROM duckdb_settings()
            WHERE name IN ('access_mode', 'enable_external_access', 'autoinstall_known_extensions', 'autoload_known_extensions', 'lock_configuration')
            ORDER BY name
            """).Rows.Select(r => ((string)r[0]!, (string)r[1]!));

        Assert.Equal(
            [("access_mode", "read_only"), ("autoinstall_known_extensions", "false"), ("autoload_known_extensions", "false"),
             ("enable_external_access", "false"), ("lock_configuration", "true")],
            settings);
    }

    [Theory]
    [MemberData(nameof(SandboxWarehouse.HostileNames), MemberType = typeof(SandboxWarehouse))]
    public void Hostile_sql_is_refused_and_reaches_nothing_outside(string name)
    {
        var (sql, mustNotExist) = _warehouse.HostileCase(name);
        var before = Directory.GetFileSystemEntries(_warehouse.Outside).Order().ToList();

        var refused = Assert.Throws<QueryRefusedException>(() => Run(sql));

        Assert.Contains("not allowed in `pipeline query`", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_warehouse.Secret, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refused.Message);
        if (mustNotExist is not null)
        {
            Assert.False(Path.Exists(mustNotExist), $"{mustNotExist} was written");
        }

        Assert.Equal(before, Directory.GetFileSystemEntries(_warehouse.Outside).Order());
        // Nothing in the warehouse changed either.
        Assert.Equal(4L, Db.Count(_warehouse.Database, "transactions"));
        Assert.Equal(1L, Db.Count(_warehouse.Database, "dead_letters"));
    }

    // DuckDB's statement types as the bundled library reports them: the enum's numbers are the C API's, not
    // DuckDB.NET's (off by one from PRAGMA on).
    [Theory]
    [InlineData("SET threads = 1", "SET, RESET, USE")]
    [InlineData("USE memory", "SET, RESET, USE")]
    [InlineData("INSTALL httpfs", "LOAD or INSTALL")]
    [InlineData("ATTACH ':memory:' AS m", "ATTACH is not allowed")]
    [InlineData("DETACH warehouse", "DETACH is not allowed")]
    [InlineData("CREATE TEMP TABLE t (x INT)", "CREATE (also of a temporary table or a macro)")]
    [InlineData("CALL pragma_version()", "CALL")]
    [InlineData("PRAGMA disable_optimizer", "this PRAGMA")]
    [InlineData("BEGIN TRANSACTION", "a transaction statement")]
    [InlineData("EXPLAIN SELECT 1", "EXPLAIN is not allowed")]
    [InlineData("VACUUM", "VACUUM or ANALYZE")]
    [InlineData("SET VARIABLE x = 1", "SET")]
    public void Refusals_name_the_statement_kind(string sql, string expected)
    {
        var refused = Assert.Throws<QueryRefusedException>(() => Run(sql));
        Assert.StartsWith(expected, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_statement_list_with_a_semicolon_inside_a_string_is_one_statement()
    {
        Assert.Equal("a;b", Run("SELECT 'a;b' AS x;").Rows[0][0]);
        Assert.StartsWith("The SQL holds no statement", Assert.Throws<QueryRefusedException>(() => Run("-- nothing")).Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Ordinary_analytics_run_joins_windows_ctes_views_and_catalog_queries()
    {
        var ranked = Run("""
            WITH per_product AS (
                SELECT product_id, currency, sum(price) AS revenue FROM transactions GROUP BY ALL)
            SELECT p.product_id, p.currency, p.revenue,
                   rank() OVER (PARTITION BY p.currency ORDER BY p.revenue DESC) AS revenue_rank,
                   v.orders AS orders_in_de
            FROM per_product p
            LEFT JOIN orders_per_country v ON v.country_code = 'DE'
            ORDER BY p.currency, revenue_rank
            """);
        Assert.Equal(
            [("p-a", "EUR", 1L), ("p-b", "EUR", 2L), ("p-c", "JPY", 1L), ("p-a", "USD", 1L)],
            ranked.Rows.Select(r => ((string)r[0]!, (string)r[1]!, (long)r[3]!)));
        Assert.All(ranked.Rows, r => Assert.Equal(1L, r[4]));

        Assert.Equal(2L, Run("SELECT count(*) FROM orders_per_country WHERE country_code IN ('DE', 'FR')").Rows[0][0]);
        Assert.Contains(Run("DESCRIBE transactions").Rows, r => (string)r[0]! == "currency");
        Assert.Contains(Run("PRAGMA table_info('transactions')").Rows, r => (string)r[1]! == "price");
        Assert.Contains(Run("SHOW TABLES").Rows, r => (string)r[0]! == "dead_letters");
        Assert.Single(Run("FROM dead_letters").Rows);
    }

    [Fact]
    public void The_standard_report_runs_in_the_sandbox()
    {
        using var runner = DuckDbQueryRunner.OpenSandbox(_warehouse.Database);

        var sections = new DuckDbReport(runner).Run();

        Assert.NotEmpty(sections.Single(s => s.Name == "top_products_by_revenue").Result.Rows);
    }

    [Fact]
    public async Task A_file_open_for_writing_in_this_process_is_not_queried_unsandboxed_and_the_writer_is_untouched()
    {
        await using var sink = new DuckDbSink(_warehouse.Database);

        var error = Assert.Throws<WarehouseException>(() => DuckDbQueryRunner.OpenSandbox(_warehouse.Database));

        Assert.Contains("sandbox did not take effect", error.Message, StringComparison.Ordinal);
        // The shared instance was left unlocked: the writer still writes.
        await sink.WriteRowsAsync([Rows.Transaction("t5", currency: "USD")], CancellationToken.None);
        using var trusted = DuckDbQueryRunner.Open(_warehouse.Database);
        Assert.Equal(5L, trusted.Execute("SELECT count(*) FROM transactions").Rows[0][0]);
    }
}
