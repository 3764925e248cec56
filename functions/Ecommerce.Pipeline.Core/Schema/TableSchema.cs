namespace Ecommerce.Pipeline.Core.Schema;

/// <summary>A table: its name, its columns in order, and its key.</summary>
public sealed class TableSchema<TRow>
{
    public TableSchema(string name, IReadOnlyList<Column<TRow>> columns, IReadOnlyList<string> key)
    {
        Name = name;
        Columns = columns;
        Key = key;
    }

    public string Name { get; }
    public IReadOnlyList<Column<TRow>> Columns { get; }

    /// <summary>The columns that identify a row; sinks use them for idempotency.</summary>
    public IReadOnlyList<string> Key { get; }

    public Column<TRow> this[string name] =>
        Columns.FirstOrDefault(c => c.Name == name) ?? throw new KeyNotFoundException($"No column '{name}' in {Name}.");
}
