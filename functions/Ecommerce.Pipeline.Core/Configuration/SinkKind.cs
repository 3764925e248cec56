namespace Ecommerce.Pipeline.Core.Configuration;

/// <summary>The warehouses the <c>Sink</c> setting and <c>--sink</c> can name (docs/contract.md, Settings).</summary>
public enum SinkKind
{
    /// <summary><c>duckdb</c>: the embedded file.</summary>
    DuckDb,

    /// <summary><c>bigquery</c>: BigQuery over its REST API.</summary>
    BigQuery,
}

/// <summary>The setting's spelling of <see cref="SinkKind"/>.</summary>
public static class SinkKinds
{
    public const string DuckDbName = "duckdb";
    public const string BigQueryName = "bigquery";

    /// <summary><c>duckdb</c> or <c>bigquery</c>, in any case, surrounding blanks ignored.</summary>
    public static bool TryParse(string? text, out SinkKind kind)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case DuckDbName:
                kind = SinkKind.DuckDb;
                return true;
            case BigQueryName:
                kind = SinkKind.BigQuery;
                return true;
            default:
                kind = default;
                return false;
        }
    }

    /// <summary>The name as settings and command lines write it.</summary>
    public static string Name(this SinkKind kind) => kind == SinkKind.BigQuery ? BigQueryName : DuckDbName;
}
