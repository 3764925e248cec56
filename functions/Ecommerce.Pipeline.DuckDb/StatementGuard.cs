using DuckDB.NET.Data;
using DuckDB.NET.Native;

namespace Ecommerce.Pipeline.DuckDb;

/// <summary>
/// Lets through exactly one query. DuckDB's own parser splits the text (<c>duckdb_extract_statements</c>, so a ';'
/// inside a string or comment is not a separator) and its binder prepares the statement (nothing runs); the prepared
/// statement's type must be SELECT. DESCRIBE, SHOW, SUMMARIZE and the PRAGMAs DuckDB rewrites into a catalog query
/// (<c>PRAGMA table_info</c>, <c>show_tables</c>, <c>database_size</c>, ...) are SELECTs to DuckDB and run; a PRAGMA
/// that changes something is a PRAGMA or SET statement and does not.
/// </summary>
internal static class StatementGuard
{
    private const string Verb = "`pipeline query`";

    /// <exception cref="QueryRefusedException">The SQL is not one query, or reaches outside the warehouse.</exception>
    /// <exception cref="WarehouseException">The SQL does not parse or bind (a syntax error, an unknown table).</exception>
    public static void Check(DuckDBConnection connection, string sql)
    {
        var count = NativeMethods.ExtractStatements.DuckDBExtractStatements(connection.NativeConnection, sql, out var extracted);
        using (extracted)
        {
            if (count == 0)
            {
                var error = NativeMethods.ExtractStatements.DuckDBExtractStatementsError(extracted);
                throw string.IsNullOrWhiteSpace(error)
                    ? new QueryRefusedException($"The SQL holds no statement: {Verb} runs exactly one query.")
                    : new WarehouseException(error.Trim());
            }

            if (count > 1)
            {
                throw new QueryRefusedException(
                    $"A second statement (after ';') is not allowed in {Verb}: it runs exactly one query ({count} statements given).");
            }

            var state = NativeMethods.ExtractStatements.DuckDBPrepareExtractedStatement(connection.NativeConnection, extracted, 0, out var prepared);
            using (prepared)
            {
                if (state != DuckDBState.Success)
                {
                    throw Failure(NativeMethods.PreparedStatements.DuckDBPrepareError(prepared) ?? "unknown error");
                }

                if (StatementKinds.Refusal(StatementKinds.Of(prepared)) is { } refusal)
                {
                    throw new QueryRefusedException($"{refusal.What} is not allowed in {Verb}: {refusal.Why}.");
                }
            }
        }
    }

    /// <summary>
    /// A DuckDB error of a sandboxed statement, from binding or running it. With external access off, DuckDB refuses
    /// any file, network or extension access as a "Permission Error" (COPY TO, EXPORT DATABASE, read_text, read_csv,
    /// read_parquet, glob and CREATE SECRET while binding; sniff_csv or duckdb_extensions() while running): that is
    /// a refusal, said as one; anything else (a syntax error, an unknown table) is DuckDB's own message.
    /// </summary>
    public static Exception Failure(string error, Exception? inner = null)
    {
        var firstLine = error.Trim().Split('\n')[0].Trim();
        if (!firstLine.StartsWith("Permission Error", StringComparison.Ordinal))
        {
            return inner is null ? new WarehouseException(error.Trim()) : new WarehouseException(error.Trim(), inner);
        }

        var message = $"Reaching outside the warehouse is not allowed in {Verb}: it reads only the warehouse file, with no other " +
            $"files, network or extensions (DuckDB: {firstLine}).";
        return inner is null ? new QueryRefusedException(message) : new QueryRefusedException(message, inner);
    }
}
