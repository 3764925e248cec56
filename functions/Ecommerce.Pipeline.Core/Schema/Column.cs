namespace Ecommerce.Pipeline.Core.Schema;

/// <summary>One column of a table: its name, type, nullability and how to read it from a row.</summary>
/// <typeparam name="TRow">The row type.</typeparam>
public sealed class Column<TRow>
{
    public Column(string name, ColumnType type, bool nullable, string description, Func<TRow, object?> getValue,
        int precision = 0, int scale = 0)
    {
        Name = name;
        Type = type;
        Nullable = nullable;
        Description = description;
        GetValue = getValue;
        Precision = precision;
        Scale = scale;
    }

    public string Name { get; }
    public ColumnType Type { get; }
    public bool Nullable { get; }
    public string Description { get; }

    /// <summary>Reads the column's value from a row: string, decimal, DateTime (UTC), DateOnly, double, long, or null.</summary>
    public Func<TRow, object?> GetValue { get; }

    /// <summary>Total digits, for <see cref="ColumnType.Numeric"/>.</summary>
    public int Precision { get; }

    /// <summary>Digits after the point, for <see cref="ColumnType.Numeric"/>.</summary>
    public int Scale { get; }
}
