using System.Text.Json;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>The REST stand-in and the Storage Write stand-in sharing its tables, with what tests read back from them.</summary>
internal sealed class BothStandIns : IAsyncDisposable
{
    private BothStandIns(BigQueryStandIn rest, StorageWriteStandIn write)
    {
        Rest = rest;
        Write = write;
    }

    public BigQueryStandIn Rest { get; }
    public StorageWriteStandIn Write { get; }

    public static async Task<BothStandIns> StartAsync()
    {
        var rest = await BigQueryStandIn.StartAsync();
        return new BothStandIns(rest, await StorageWriteStandIn.StartAsync(rest));
    }

    /// <summary>Every stored copy of a table's rows (duplicates included).</summary>
    public IReadOnlyList<JsonElement> Rows(string table) => Rest.LiveRows(table);

    /// <summary>The Kafka position of each stored copy.</summary>
    public static List<(string Partition, string Offset)> Positions(IEnumerable<JsonElement> rows) =>
        [.. rows.Select(r => (r.GetProperty("kafka_partition").ToString(), r.GetProperty("kafka_offset").ToString()))];

    /// <summary>How many distinct transaction ids the stored copies have.</summary>
    public static int DistinctIds(IEnumerable<JsonElement> rows) =>
        rows.Select(r => r.GetProperty("transaction_id").ToString()).Distinct(StringComparer.Ordinal).Count();

    public async ValueTask DisposeAsync()
    {
        Assert.Empty(Rest.ContractViolations);
        Assert.Empty(Write.ContractViolations);
        await Write.DisposeAsync();
        await Rest.DisposeAsync();
    }
}
