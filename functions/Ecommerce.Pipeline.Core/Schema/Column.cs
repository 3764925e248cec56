namespace Ecommerce.Pipeline.Core.Schema;

/// <summary>One column of a table: its name, type, nullability and how to read it from a row.</summary>
/// <typeparam name="TRow">The row type.</typeparam>
/// <remarks>
/// Declared with a typed accessor (<c>r =&gt; r.Price</c> binds to the <see cref="decimal"/> overload), kept as
/// <see cref="Accessor"/> so a writer can read values without boxing them; <see cref="GetValue"/> reads the same value
/// as an object for writers that need one.
/// </remarks>
public sealed class Column<TRow>
{
    public Column(string name, ColumnType type, bool nullable, string description, Func<TRow, string?> getValue)
        : this(name, type, nullable, description, getValue, r => getValue(r))
    {
    }

    public Column(string name, ColumnType type, bool nullable, string description, Func<TRow, decimal> getValue,
        int precision, int scale)
        : this(name, type, nullable, description, getValue, r => getValue(r), precision, scale)
    {
    }

    public Column(string name, ColumnType type, bool nullable, string description, Func<TRow, DateTime> getValue)
        : this(name, type, nullable, description, getValue, r => getValue(r))
    {
    }

    public Column(string name, ColumnType type, bool nullable, string description, Func<TRow, DateOnly> getValue)
        : this(name, type, nullable, description, getValue, r => getValue(r))
    {
    }

    public Column(string name, ColumnType type, bool nullable, string description, Func<TRow, double?> getValue)
        : this(name, type, nullable, description, getValue, r => getValue(r))
    {
    }

    public Column(string name, ColumnType type, bool nullable, string description, Func<TRow, long> getValue)
        : this(name, type, nullable, description, getValue, r => getValue(r))
    {
    }

    /// <summary>A column read only as an object (no typed accessor).</summary>
    public Column(string name, ColumnType type, bool nullable, string description, Func<TRow, object?> getValue,
        int precision = 0, int scale = 0)
        : this(name, type, nullable, description, getValue, getValue, precision, scale)
    {
    }

    private Column(string name, ColumnType type, bool nullable, string description, Delegate accessor,
        Func<TRow, object?> getValue, int precision = 0, int scale = 0)
    {
        Name = name;
        Type = type;
        Nullable = nullable;
        Description = description;
        Accessor = accessor;
        GetValue = getValue;
        Precision = precision;
        Scale = scale;
    }

    public string Name { get; }
    public ColumnType Type { get; }
    public bool Nullable { get; }
    public string Description { get; }

    /// <summary>
    /// The accessor as declared: a <c>Func&lt;TRow, T&gt;</c> with T one of string, decimal, DateTime (UTC),
    /// DateOnly, double?, long, or object for a column declared without a typed accessor.
    /// </summary>
    public Delegate Accessor { get; }

    /// <summary>Reads the column's value from a row: string, decimal, DateTime (UTC), DateOnly, double, long, or null.</summary>
    public Func<TRow, object?> GetValue { get; }

    /// <summary>Total digits, for <see cref="ColumnType.Numeric"/>.</summary>
    public int Precision { get; }

    /// <summary>Digits after the point, for <see cref="ColumnType.Numeric"/>.</summary>
    public int Scale { get; }
}
