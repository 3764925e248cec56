using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Ecommerce.Pipeline.Core.Schema;

namespace Ecommerce.Pipeline.DuckDb;

/// <summary>
/// Appends one row per item, column by column as the schema declares them. Each column's typed accessor
/// (<see cref="Column{TRow}.Accessor"/>) is bound once to the appender's overload for its type, so values go from the
/// row to DuckDB without being boxed or converted.
/// </summary>
internal sealed class AppenderRowWriter<TRow>
{
    private readonly Action<IDuckDBAppenderRow, TRow>[] _appends;
    private byte[] _utf8 = new byte[1024];

    public AppenderRowWriter(TableSchema<TRow> table) =>
        _appends = [.. table.Columns.Select(c => Bind(table.Name, c))];

    public void Append(DuckDBAppender appender, TRow item)
    {
        var row = appender.CreateRow();
        foreach (var append in _appends)
        {
            append(row, item);
        }

        row.EndRow();
    }

    private Action<IDuckDBAppenderRow, TRow> Bind(string table, Column<TRow> column) => (column.Type, column.Accessor) switch
    {
        (ColumnType.String, Func<TRow, string?> text) => (row, item) =>
        {
            if (text(item) is { } value)
            {
                AppendText(row, value);
            }
            else
            {
                AppendNull(row, table, column);
            }
        },
        (ColumnType.Numeric, Func<TRow, decimal> number) => (row, item) => row.AppendValue((decimal?)number(item)),
        (ColumnType.Timestamp, Func<TRow, DateTime> instant) => (row, item) => row.AppendValue((DateTime?)ToUtc(instant(item))),
        (ColumnType.Date, Func<TRow, DateOnly> day) => (row, item) => row.AppendValue((DateOnly?)day(item)),
        (ColumnType.Float64, Func<TRow, double?> real) => (row, item) =>
        {
            if (real(item) is { } value)
            {
                row.AppendValue((double?)value);
            }
            else
            {
                AppendNull(row, table, column);
            }
        },
        (ColumnType.Int64, Func<TRow, long> integer) => (row, item) => row.AppendValue((long?)integer(item)),
        _ => (row, item) => AppendBoxed(row, table, column, column.GetValue(item)),
    };

    private static void AppendNull(IDuckDBAppenderRow row, string table, Column<TRow> column)
    {
        if (!column.Nullable)
        {
            throw new InvalidOperationException($"Column '{table}.{column.Name}' is not nullable but the row has no value.");
        }

        row.AppendNullValue();
    }

    // A column declared without a typed accessor: its value as an object, converted to the column's type.
    private void AppendBoxed(IDuckDBAppenderRow row, string table, Column<TRow> column, object? value)
    {
        var inv = CultureInfo.InvariantCulture;
        switch (value)
        {
            case null:
                AppendNull(row, table, column);
                break;
            case string text when column.Type == ColumnType.String:
                AppendText(row, text);
                break;
            default:
                switch (column.Type)
                {
                    case ColumnType.Numeric:
                        row.AppendValue((decimal?)Convert.ToDecimal(value, inv));
                        break;
                    case ColumnType.Timestamp:
                        row.AppendValue((DateTime?)ToUtc(value));
                        break;
                    case ColumnType.Date:
                        row.AppendValue((DateOnly?)(DateOnly)value);
                        break;
                    case ColumnType.Float64:
                        row.AppendValue((double?)Convert.ToDouble(value, inv));
                        break;
                    case ColumnType.Int64:
                        row.AppendValue((long?)Convert.ToInt64(value, inv));
                        break;
                    default:
                        throw new InvalidOperationException($"Column '{table}.{column.Name}' has type {column.Type} but the row has a {value.GetType().Name}.");
                }

                break;
        }
    }

    /// <summary>
    /// Appends text as its UTF-8 bytes with their length. DuckDB.NET's string overload hands DuckDB a C string
    /// (<c>duckdb_vector_assign_string_element</c>, "the null-terminated string", duckdb.h), which ends the text at
    /// its first NUL; the byte overload uses <c>duckdb_vector_assign_string_element_len</c> (DuckDB.NET
    /// DataChunk/Writer/StringVectorDataWriter.cs), and DuckDB's VARCHAR holds NUL like any other character
    /// (duckdb/duckdb#5218). So the stored text equals the text received, NUL included.
    /// </summary>
    private void AppendText(IDuckDBAppenderRow row, string text)
    {
        if (text.Length == 0)
        {
            // An empty span would read as a null value: the string overload is exact for the empty text.
            row.AppendValue(text);
            return;
        }

        var needed = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_utf8.Length < needed)
        {
            _utf8 = new byte[Math.Max(needed, _utf8.Length * 2)];
        }

        // DuckDB copies the bytes before the call returns, so one buffer serves every value.
        var length = Encoding.UTF8.GetBytes(text, _utf8);
        row.AppendValue(_utf8.AsSpan(0, length));
    }

    // TIMESTAMPTZ stores the UTC instant; a Local value would otherwise be written as if it were UTC.
    private static DateTime ToUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Local => value.ToUniversalTime(),
        DateTimeKind.Utc => value,
        _ => DateTime.SpecifyKind(value, DateTimeKind.Utc),
    };

    private static DateTime ToUtc(object value) => value switch
    {
        DateTimeOffset offset => offset.UtcDateTime,
        DateTime dateTime => ToUtc(dateTime),
        _ => throw new InvalidCastException($"Expected a DateTime, got {value.GetType().Name}."),
    };
}
