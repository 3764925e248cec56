using System.Globalization;
using DuckDB.NET.Data;
using Ecommerce.Pipeline.Core.Schema;

namespace Ecommerce.Pipeline.DuckDb;

/// <summary>
/// The set of keys (<see cref="TableSchema{TRow}.Key"/>) already stored in a table, held in memory by the only
/// writer of the file. Loaded from the table when the file is opened, so it survives restarts.
/// </summary>
internal sealed class KeyIndex<TRow>
{
    // Separates the parts of a composite key; a unit separator cannot occur in ids (control characters are rejected)
    // nor in the formatted numbers.
    private const char Separator = '\u001f';

    private readonly TableSchema<TRow> _table;
    private readonly Column<TRow>[] _keyColumns;
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);

    public KeyIndex(TableSchema<TRow> table)
    {
        _table = table;
        _keyColumns = [.. table.Key.Select(name => table[name])];
    }

    public int Count => _keys.Count;

    public string KeyOf(TRow row)
    {
        if (_keyColumns.Length == 1)
        {
            return Format(_keyColumns[0].GetValue(row));
        }

        return string.Join(Separator, _keyColumns.Select(c => Format(c.GetValue(row))));
    }

    public bool Contains(string key) => _keys.Contains(key);

    public void AddRange(IEnumerable<string> keys) => _keys.UnionWith(keys);

    public void Load(DuckDBConnection connection)
    {
        _keys.Clear();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT " + string.Join(", ", _keyColumns.Select(c => DuckDbSchema.Quote(c.Name))) +
                              " FROM " + DuckDbSchema.Quote(_table.Name);
        using var reader = command.ExecuteReader();
        var parts = new string[_keyColumns.Length];
        while (reader.Read())
        {
            for (var i = 0; i < parts.Length; i++)
            {
                parts[i] = Format(reader.IsDBNull(i) ? null : reader.GetValue(i));
            }

            _keys.Add(parts.Length == 1 ? parts[0] : string.Join(Separator, parts));
        }
    }

    // Keys are strings and integers; both sides (row objects and the database) format through here.
    private static string Format(object? value) => value switch
    {
        null => "",
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
