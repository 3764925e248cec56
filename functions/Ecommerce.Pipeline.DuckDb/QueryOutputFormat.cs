namespace Ecommerce.Pipeline.DuckDb;

/// <summary>Output of <c>pipeline query --format</c>.</summary>
public enum QueryOutputFormat
{
    /// <summary>Aligned plain text.</summary>
    Table,

    /// <summary>A header line, then one line per row; RFC 4180 quoting, <c>\n</c> line ends.</summary>
    Csv,

    /// <summary>One JSON array of objects, column name → value.</summary>
    Json,
}
