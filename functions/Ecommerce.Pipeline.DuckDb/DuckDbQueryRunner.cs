using DuckDB.NET.Data;
using Ecommerce.Pipeline.Core.Configuration;

namespace Ecommerce.Pipeline.DuckDb;

/// <summary>Runs SQL on a warehouse file, for <c>pipeline query</c> and <c>pipeline report</c>.</summary>
/// <remarks>
/// Another process that has the file open (the processor) holds DuckDB's file lock, and then even a read-only open
/// fails; that is reported as a <see cref="WarehouseException"/> saying so. In the process that holds a
/// <see cref="DuckDbSink"/> on the file, <see cref="Open"/> works and sees the committed rows; <see cref="OpenSandbox"/>
/// does not (it needs its own database instance).
/// </remarks>
public sealed class DuckDbQueryRunner : IDisposable
{
    private readonly DuckDBConnection _connection;
    private readonly bool _sandboxed;

    private DuckDbQueryRunner(string fullPath, DuckDBConnection connection, bool sandboxed)
    {
        DatabasePath = fullPath;
        _connection = connection;
        _sandboxed = sandboxed;
    }

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath { get; }

    /// <summary>Opens an existing warehouse file for trusted SQL (the process's own); never creates one.</summary>
    /// <param name="path">The database file; <see cref="Defaults.DuckDbPath"/> when null or blank.</param>
    /// <param name="readOnly">Open with <c>ACCESS_MODE=READ_ONLY</c>; pass false to run statements that change data.</param>
    /// <exception cref="WarehouseException">The file does not exist, or cannot be opened (e.g. locked by another process).</exception>
    public static DuckDbQueryRunner Open(string? path = null, bool readOnly = true)
    {
        var fullPath = ExistingFile(path);
        return new DuckDbQueryRunner(fullPath, DuckDbConnections.Open(fullPath, readOnly), sandboxed: false);
    }

    /// <summary>
    /// Opens an existing warehouse file for SQL from outside (<c>pipeline query</c>): read-only, no access to other
    /// files, the network or extensions, settings locked (see <see cref="QuerySandbox"/>), and
    /// <see cref="Execute"/> runs exactly one query.
    /// </summary>
    /// <exception cref="WarehouseException">The file does not exist, cannot be opened, or the sandbox did not take effect.</exception>
    public static DuckDbQueryRunner OpenSandbox(string? path = null)
    {
        var fullPath = ExistingFile(path);
        return new DuckDbQueryRunner(fullPath, QuerySandbox.Open(fullPath), sandboxed: true);
    }

    /// <summary>Runs one SQL text and reads its whole result.</summary>
    /// <exception cref="QueryRefusedException">In a sandbox: the SQL is not exactly one query, or reaches outside the warehouse.</exception>
    /// <exception cref="WarehouseException">DuckDB refused the SQL; the message is DuckDB's.</exception>
    public QueryResult Execute(string sql, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        try
        {
            if (_sandboxed)
            {
                StatementGuard.Check(_connection, sql);
            }

            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            using var registration = cancellationToken.Register(command.Cancel);
            using var reader = command.ExecuteReader();
            var columns = new QueryColumn[reader.FieldCount];
            for (var i = 0; i < columns.Length; i++)
            {
                columns[i] = new QueryColumn(reader.GetName(i), reader.GetDataTypeName(i));
            }

            var rows = new List<IReadOnlyList<object?>>();
            while (reader.Read())
            {
                var row = new object?[columns.Length];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = reader.IsDBNull(i) ? null : Normalise(reader.GetValue(i));
                }

                rows.Add(row);
            }

            cancellationToken.ThrowIfCancellationRequested();
            return new QueryResult(columns, rows);
        }
        catch (DuckDBException e)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw _sandboxed ? StatementGuard.Failure(e.Message, e) : new WarehouseException(e.Message.Trim(), e);
        }
    }

    public void Dispose() => _connection.Dispose();

    private static string ExistingFile(string? path)
    {
        var fullPath = Path.GetFullPath(string.IsNullOrWhiteSpace(path) ? Defaults.DuckDbPath : path);
        if (!File.Exists(fullPath))
        {
            throw new WarehouseException(
                $"No warehouse at '{fullPath}'. Run `pipeline process` or `pipeline dev` first, or pass --duckdb PATH.");
        }

        return fullPath;
    }

    // DuckDB.NET reads TIMESTAMP/TIMESTAMPTZ as DateTime of kind Unspecified holding UTC (the session time zone is
    // UTC); say so in the kind, so renderers need not guess.
    private static object Normalise(object value) => value switch
    {
        DateTime { Kind: DateTimeKind.Unspecified } dateTime => DateTime.SpecifyKind(dateTime, DateTimeKind.Utc),
        DateTimeOffset offset => offset.UtcDateTime,
        _ => value,
    };
}
