using DuckDB.NET.Data;

namespace Ecommerce.Pipeline.DuckDb;

/// <summary>
/// The session of <c>pipeline query</c> and <c>pipeline report</c>: the warehouse file opened read-only, with no way
/// out of it, set up completely before any caller SQL runs.
/// </summary>
/// <remarks>
/// DuckDB 1.5 (DuckDB.NET.Data.Full 1.5.6.1 bundles v1.5.6; <c>SELECT version()</c>), settings as documented in
/// https://duckdb.org/docs/1.5/operations_manual/securing_duckdb/overview.html and
/// https://duckdb.org/docs/1.5/configuration/overview.html (each description below also matches the bundled
/// library's own <c>duckdb_settings()</c>):
/// <list type="bullet">
/// <item><c>access_mode = READ_ONLY</c>: no statement can change the file.</item>
/// <item><c>enable_external_access = false</c>: no file other than the database (and its WAL and temp directory,
/// DuckDB's <c>allowed_paths</c>/<c>allowed_directories</c>), no network, no INSTALL/LOAD, no ATTACH of anything
/// else. Given at start-up, so it holds before the first statement.</item>
/// <item><c>autoinstall_known_extensions = false</c>, <c>autoload_known_extensions = false</c>: a function of an
/// extension that is not built in (httpfs, ...) is an unknown function, not a download.</item>
/// <item><c>lock_configuration = true</c>, set last ("whether or not configurations can be altered"): from then on
/// every SET/RESET fails, so the SQL cannot undo the above.</item>
/// </list>
/// DuckDB.NET shares one database instance per file within a process, and start-up settings apply only when it
/// opens it; so the settings are read back, and a session that did not get them (the file is already open for
/// writing in this process) is refused rather than run unsandboxed.
/// </remarks>
internal static class QuerySandbox
{
    private static readonly (string Name, string Value)[] StartUp =
    [
        ("ACCESS_MODE", "READ_ONLY"),
        ("enable_external_access", "false"),
        ("autoinstall_known_extensions", "false"),
        ("autoload_known_extensions", "false"),
    ];

    private static readonly (string Name, string Value)[] Expected =
    [
        ("access_mode", "read_only"),
        ("enable_external_access", "false"),
        ("autoinstall_known_extensions", "false"),
        ("autoload_known_extensions", "false"),
    ];

    private static readonly (string Name, string Value)[] Locked = [("lock_configuration", "true")];

    public static DuckDBConnection Open(string fullPath)
    {
        var connection = DuckDbConnections.Open(fullPath, StartUp);
        try
        {
            // Checked before locking: a shared instance that is not ours (read-write) must be left as it was.
            Verify(connection, fullPath, Expected);
            DuckDbConnections.Execute(connection, "SET lock_configuration = true");
            Verify(connection, fullPath, Locked);
            return connection;
        }
        catch (DuckDBException e)
        {
            connection.Dispose();
            throw new WarehouseException($"Cannot open '{fullPath}' for querying: {e.Message.Trim()}", e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static void Verify(DuckDBConnection connection, string fullPath, (string Name, string Value)[] expected)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, lower(value) FROM duckdb_settings() WHERE name IN (" +
            string.Join(", ", expected.Select(e => DuckDbSchema.Literal(e.Name))) + ")";
        var actual = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                actual[reader.GetString(0)] = reader.GetString(1);
            }
        }

        var wrong = expected.Where(e => actual.GetValueOrDefault(e.Name) != e.Value).Select(e => $"{e.Name}={actual.GetValueOrDefault(e.Name)}").ToList();
        if (wrong.Count > 0)
        {
            throw new WarehouseException(
                $"Cannot open '{fullPath}' for querying: the read-only sandbox did not take effect ({string.Join(", ", wrong)}); " +
                "is the file open for writing in this process?");
        }
    }
}
