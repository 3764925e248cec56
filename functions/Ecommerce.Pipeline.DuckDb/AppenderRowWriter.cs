using System.Text;
using DuckDB.NET.Data;
using Ecommerce.Pipeline.Core.Schema;

namespace Ecommerce.Pipeline.DuckDb;

/// <summary>Appends one row per item, column by column as the schema declares them, with the exact .NET type for each.</summary>
internal sealed class AppenderRowWriter<TRow>(TableSchema<TRow> table)
{
    private readonly Column<TRow>[] _columns = [.. table.Columns];
    private byte[] _utf8 = new byte[1024];

    public void Append(DuckDBAppender appender, TRow item)
    {
        var row = appender.CreateRow();
        foreach (var column in _columns)
        {
            var value = column.GetValue(item);
            if (value is null)
            {
                if (!column.Nullable)
                {
                    throw new InvalidOperationException($"Column '{table.Name}.{column.Name}' is not nullable but the row has no value.");
                }

                row.AppendNullValue();
                continue;
            }

            switch (column.Type)
            {
                case ColumnType.String:
                    AppendText(row, (string)value);
                    break;
                case ColumnType.Numeric:
                    row.AppendValue((decimal?)Convert.ToDecimal(value, System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case ColumnType.Timestamp:
                    row.AppendValue((DateTime?)ToUtc(value));
                    break;
                case ColumnType.Date:
                    row.AppendValue((DateOnly?)(DateOnly)value);
                    break;
                case ColumnType.Float64:
                    row.AppendValue((double?)Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case ColumnType.Int64:
                    row.AppendValue((long?)Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default:
                    throw new InvalidOperationException($"Column '{column.Name}' has unknown type {column.Type}.");
            }
        }

        row.EndRow();
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
    private static DateTime ToUtc(object value) => value switch
    {
        DateTimeOffset offset => offset.UtcDateTime,
        DateTime { Kind: DateTimeKind.Local } local => local.ToUniversalTime(),
        DateTime dateTime => DateTime.SpecifyKind(dateTime, DateTimeKind.Utc),
        _ => throw new InvalidCastException($"Expected a DateTime, got {value.GetType().Name}."),
    };
}
