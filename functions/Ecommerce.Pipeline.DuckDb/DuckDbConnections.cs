using DuckDB.NET.Data;

namespace Ecommerce.Pipeline.DuckDb;

/// <summary>Opening connections the same way everywhere: UTC session time zone, clear errors.</summary>
internal static class DuckDbConnections
{
    public static DuckDBConnection Open(string fullPath, bool readOnly) =>
        Open(fullPath, readOnly ? [("ACCESS_MODE", "READ_ONLY")] : []);

    // startUp: DuckDB settings given when the database opens (DuckDB.NET passes every connection-string key other
    // than the data source to duckdb_set_config).
    public static DuckDBConnection Open(string fullPath, IEnumerable<(string Name, string Value)> startUp)
    {
        var connectionString = "Data Source=" + fullPath + string.Concat(startUp.Select(s => $";{s.Name}={s.Value}"));
        var connection = new DuckDBConnection(connectionString);
        try
        {
            connection.Open();
            Execute(connection, "SET TimeZone = 'UTC'");
            return connection;
        }
        catch (DuckDBException e)
        {
            connection.Dispose();
            // Another process holding the file is the usual cause (DuckDB allows one writer process per file, and
            // while it has the file open no other process may open it, not even read-only).
            if (e.Message.Contains("Could not set lock", StringComparison.Ordinal))
            {
                throw new WarehouseException(
                    $"The warehouse file '{fullPath}' is in use by another process (stop `pipeline process`/`dev` first): {e.Message}", e);
            }

            throw new WarehouseException($"Cannot open the warehouse file '{fullPath}': {e.Message}", e);
        }
    }

    public static int Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }
}
