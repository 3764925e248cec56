using DuckDB.NET.Data;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Schema;

namespace Ecommerce.Pipeline.DuckDb;

/// <summary>
/// One open warehouse file in this process: its read-write connection, its write gate and its key indexes. Sinks on
/// the same file share one instance, so writes are serialised and the caches of recent keys see every write.
/// </summary>
internal sealed class DuckDbWarehouse
{
    private static readonly Dictionary<string, DuckDbWarehouse> Open = new(StringComparer.Ordinal);
    private static readonly Lock OpenLock = new();

    private int _references;

    /// <summary>
    /// Keys per table in the cache of recent keys: about 120 bytes each (the key string and its set entry), so about
    /// 12 MB per table whatever the table's size; 20 batches of 5,000, far more than a re-delivery after a crash or a
    /// rebalance repeats.
    /// </summary>
    public const int DefaultRecentKeys = 100_000;

    private DuckDbWarehouse(string fullPath, DuckDBConnection connection, int recentKeys)
    {
        FullPath = fullPath;
        Connection = connection;
        TransactionKeys = new KeyIndex<TransactionRow>(PipelineSchema.Transactions, recentKeys);
        DeadLetterKeys = new KeyIndex<DeadLetter>(PipelineSchema.DeadLetters, recentKeys);
    }

    public string FullPath { get; }
    public DuckDBConnection Connection { get; }

    /// <summary>Serialises writes: one DuckDB connection is not safe for concurrent use.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public KeyIndex<TransactionRow> TransactionKeys { get; }
    public KeyIndex<DeadLetter> DeadLetterKeys { get; }

    // memoryLimit: DuckDB's memory_limit, set when the file is opened. It bounds DuckDB's buffer manager, which otherwise
    // keeps the blocks it has read up to 80% of the machine's memory (https://duckdb.org/docs/stable/operations_manual/limits:
    // "Memory use, 80% of RAM, memory_limit; this limit only applies to the buffer manager").
    public static DuckDbWarehouse Acquire(string path, int recentKeys, string memoryLimit)
    {
        var fullPath = Path.GetFullPath(path);
        lock (OpenLock)
        {
            if (!Open.TryGetValue(fullPath, out var warehouse))
            {
                var directory = Path.GetDirectoryName(fullPath);
                if (!string.IsNullOrEmpty(directory))
                {
                    Directory.CreateDirectory(directory);
                }

                var connection = DuckDbConnections.Open(fullPath, [("memory_limit", memoryLimit)]);
                try
                {
                    warehouse = new DuckDbWarehouse(fullPath, connection, recentKeys);
                    warehouse.Initialise();
                }
                catch (DuckDBException e)
                {
                    // Ours, so hosts map it by type without knowing DuckDB's (e.g. a full disk, a corrupt file).
                    connection.Dispose();
                    throw new WarehouseException($"Cannot prepare the warehouse file '{fullPath}': {e.Message.Trim()}", e);
                }
                catch
                {
                    connection.Dispose();
                    throw;
                }

                Open.Add(fullPath, warehouse);
            }

            warehouse._references++;
            return warehouse;
        }
    }

    public void Release()
    {
        lock (OpenLock)
        {
            if (--_references > 0)
            {
                return;
            }

            Open.Remove(FullPath);
        }

        Connection.Dispose();
        Gate.Dispose();
    }

    private void Initialise()
    {
        EnsureTable(PipelineSchema.Transactions);
        EnsureTable(PipelineSchema.DeadLetters);
    }

    // Creates the table if missing; an existing table must have exactly the declared columns, or the appender
    // would write values into the wrong columns (or fail on every batch).
    private void EnsureTable<TRow>(TableSchema<TRow> table)
    {
        DuckDbConnections.Execute(Connection, DuckDbSchema.CreateTableSql(table));

        using var command = Connection.CreateCommand();
        command.CommandText =
            "SELECT column_name, data_type FROM information_schema.columns " +
            "WHERE table_schema = 'main' AND table_name = " + DuckDbSchema.Literal(table.Name) +
            " ORDER BY ordinal_position";
        var actual = new List<string>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                actual.Add(reader.GetString(0) + " " + reader.GetString(1));
            }
        }

        var expected = table.Columns.Select(c => c.Name + " " + DuckDbSchema.SqlType(c)).ToList();
        if (!actual.SequenceEqual(expected, StringComparer.Ordinal))
        {
            throw new WarehouseException(
                $"Table '{table.Name}' in '{FullPath}' does not match the pipeline schema. Expected ({string.Join(", ", expected)}), " +
                $"found ({string.Join(", ", actual)}). Use a new file or migrate the table.");
        }
    }
}
