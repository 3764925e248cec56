using System.Globalization;
using System.Text;
using Ecommerce.Pipeline.Core.Schema;

namespace Ecommerce.Pipeline.DuckDb;

/// <summary>Maps the declared schema (<see cref="PipelineSchema"/>) to DuckDB: types and DDL, never a column by hand.</summary>
public static class DuckDbSchema
{
    /// <summary>
    /// The DuckDB type of a column, spelled as <c>information_schema.columns.data_type</c> reports it, so the schema
    /// check at open compares like with like.
    /// </summary>
    /// <remarks>
    /// Timestamps are <c>TIMESTAMP WITH TIME ZONE</c> (TIMESTAMPTZ): the values are instants, as in BigQuery's
    /// TIMESTAMP, and DuckDB stores them as UTC microseconds since the epoch, so a UTC <see cref="DateTime"/> with
    /// microsecond precision round-trips exactly. Every connection this library opens sets <c>TimeZone='UTC'</c>, so
    /// rendering and <c>date_trunc</c> are in UTC no matter where the command runs.
    /// </remarks>
    public static string SqlType(ColumnType type, int precision = 0, int scale = 0) => type switch
    {
        ColumnType.String => "VARCHAR",
        ColumnType.Numeric => string.Create(CultureInfo.InvariantCulture, $"DECIMAL({precision},{scale})"),
        ColumnType.Timestamp => "TIMESTAMP WITH TIME ZONE",
        ColumnType.Date => "DATE",
        ColumnType.Float64 => "DOUBLE",
        ColumnType.Int64 => "BIGINT",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown column type."),
    };

    public static string SqlType<TRow>(Column<TRow> column)
    {
        ArgumentNullException.ThrowIfNull(column);
        return SqlType(column.Type, column.Precision, column.Scale);
    }

    /// <summary>
    /// <c>CREATE TABLE IF NOT EXISTS</c> with the columns in declared order and NOT NULL where not nullable.
    /// </summary>
    /// <remarks>
    /// No PRIMARY KEY: uniqueness of <see cref="TableSchema{TRow}.Key"/> is enforced by the sink's key index
    /// (<see cref="KeyIndex{TRow}"/>) (see <see cref="DuckDbSink"/> for the measurements behind that choice).
    /// </remarks>
    public static string CreateTableSql<TRow>(TableSchema<TRow> table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var sql = new StringBuilder("CREATE TABLE IF NOT EXISTS ").Append(Quote(table.Name)).Append(" (");
        for (var i = 0; i < table.Columns.Count; i++)
        {
            var column = table.Columns[i];
            sql.Append(i == 0 ? "\n  " : ",\n  ").Append(Quote(column.Name)).Append(' ').Append(SqlType(column));
            if (!column.Nullable)
            {
                sql.Append(" NOT NULL");
            }
        }

        return sql.Append("\n)").ToString();
    }

    /// <summary>A double-quoted SQL identifier.</summary>
    public static string Quote(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        return "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>A single-quoted SQL string literal.</summary>
    internal static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
