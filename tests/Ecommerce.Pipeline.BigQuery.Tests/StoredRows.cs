using System.Text.Json;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>What the end-to-end tests read back from the stand-ins' stored rows.</summary>
internal static class StoredRows
{
    /// <summary>Every stored copy of a table's rows (duplicates included).</summary>
    public static IReadOnlyList<JsonElement> Of(StorageWrite.StorageSinkKit standIns, string table) => standIns.Rest.LiveRows(table);

    /// <summary>The Kafka position of each stored copy.</summary>
    public static List<(string Partition, string Offset)> Positions(IEnumerable<JsonElement> rows) =>
        [.. rows.Select(r => (r.GetProperty("kafka_partition").ToString(), r.GetProperty("kafka_offset").ToString()))];

    /// <summary>How many distinct transaction ids the stored copies have.</summary>
    public static int DistinctIds(IEnumerable<JsonElement> rows) =>
        rows.Select(r => r.GetProperty("transaction_id").ToString()).Distinct(StringComparer.Ordinal).Count();

    /// <summary>Neither stand-in saw a request that breaks its API's rules.</summary>
    public static void AssertNoContractViolations(StorageWrite.StorageSinkKit standIns)
    {
        Assert.Empty(standIns.Rest.ContractViolations);
        Assert.Empty(standIns.Write.ContractViolations);
    }
}
