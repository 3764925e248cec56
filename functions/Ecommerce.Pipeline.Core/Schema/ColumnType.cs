namespace Ecommerce.Pipeline.Core.Schema;

/// <summary>Logical column types; each adapter maps them once (DuckDB DDL, BigQuery table JSON, row writers).</summary>
public enum ColumnType
{
    /// <summary>Text. DuckDB VARCHAR, BigQuery STRING.</summary>
    String,

    /// <summary>Exact decimal (precision/scale on the column). DuckDB DECIMAL(p,s), BigQuery NUMERIC.</summary>
    Numeric,

    /// <summary>UTC instant, microseconds. DuckDB TIMESTAMPTZ, BigQuery TIMESTAMP.</summary>
    Timestamp,

    /// <summary>Calendar date. DuckDB DATE, BigQuery DATE.</summary>
    Date,

    /// <summary>IEEE double. DuckDB DOUBLE, BigQuery FLOAT64.</summary>
    Float64,

    /// <summary>64-bit integer. DuckDB BIGINT, BigQuery INT64.</summary>
    Int64,
}
