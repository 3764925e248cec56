namespace Ecommerce.Pipeline.DuckDb;

/// <summary>A column of a query result: its name and DuckDB type name (e.g. <c>Decimal</c>, <c>TimestampTz</c>).</summary>
public sealed record QueryColumn(string Name, string TypeName);

/// <summary>
/// The raw result of a query, for any renderer. Values are null for SQL NULL; timestamps are UTC
/// <see cref="DateTime"/>s (<see cref="DateTimeKind.Utc"/>); other values are as DuckDB.NET reads them
/// (string, decimal, long, double, DateOnly, bool, ...).
/// </summary>
public sealed class QueryResult
{
    public QueryResult(IReadOnlyList<QueryColumn> columns, IReadOnlyList<IReadOnlyList<object?>> rows)
    {
        Columns = columns;
        Rows = rows;
    }

    public IReadOnlyList<QueryColumn> Columns { get; }
    public IReadOnlyList<IReadOnlyList<object?>> Rows { get; }
}
