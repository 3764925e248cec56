using DuckDB.NET.Data;
using Ecommerce.Pipeline.Core.Schema;

namespace Ecommerce.Pipeline.DuckDb;

/// <summary>Appends one row per item, column by column as the schema declares them, with the exact .NET type for each.</summary>
internal sealed class AppenderRowWriter<TRow>(TableSchema<TRow> table)
{
    private readonly Column<TRow>[] _columns = [.. table.Columns];

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
                    row.AppendValue((string)value);
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

    // TIMESTAMPTZ stores the UTC instant; a Local value would otherwise be written as if it were UTC.
    private static DateTime ToUtc(object value) => value switch
    {
        DateTimeOffset offset => offset.UtcDateTime,
        DateTime { Kind: DateTimeKind.Local } local => local.ToUniversalTime(),
        DateTime dateTime => DateTime.SpecifyKind(dateTime, DateTimeKind.Utc),
        _ => throw new InvalidCastException($"Expected a DateTime, got {value.GetType().Name}."),
    };
}
