using System.Text.Json;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>What the end-to-end tests read back from the stand-ins' stored rows.</summary>
internal static class StoredRows
{
    /// <summary>How many distinct transaction ids the stored copies have.</summary>
    public static int DistinctIds(IEnumerable<JsonElement> rows) =>
        rows.Select(r => r.GetProperty("transaction_id").ToString()).Distinct(StringComparer.Ordinal).Count();
}
