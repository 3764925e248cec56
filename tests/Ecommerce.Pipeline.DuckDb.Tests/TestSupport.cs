using DuckDB.NET.Data;

namespace Ecommerce.Pipeline.DuckDb.Tests;

/// <summary>The warehouse file of a test: under a folder that does not exist yet, so the sink must create it.</summary>
internal static class TempDirectoryWarehouse
{
    extension(TempDirectory directory)
    {
        public string Database => System.IO.Path.Combine(directory.Path, "nested", "warehouse.duckdb");
    }
}

/// <summary>Reads the file back with a separate plain connection, independent of the code under test.</summary>
internal static class Db
{
    public static List<object?[]> Query(string path, string sql)
    {
        using var connection = new DuckDBConnection("Data Source=" + path);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    public static long Count(string path, string table) => (long)Query(path, $"SELECT count(*) FROM {table}")[0][0]!;
}
