using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>What the Storage Write stand-in shares with this one: the tables, their schemas and the row store.</summary>
internal sealed partial class BigQueryStandIn
{
    /// <summary>The <c>schema.fields</c> of table "dataset.table", or null when there is no such table.</summary>
    internal JsonNode? TableFields(string table, out bool exists)
    {
        exists = Tables.TryGetValue(table, out var definition);
        return definition?["schema"]?["fields"]?.DeepClone();
    }

    /// <summary>True while table "dataset.table" was created less than <paramref name="window"/> ago.</summary>
    internal bool CreatedWithin(string table, TimeSpan window) => InWindow(table, window);

    /// <summary>
    /// Stores rows written through the Storage Write API, all of them or none: that API has no insertId, so each row
    /// gets its own id and a row written twice is stored twice, as BigQuery would.
    /// </summary>
    internal void StoreWritten(string table, IReadOnlyList<(string Id, JsonElement Json)> rows)
    {
        lock (_gate)
        {
            var stored = Rows.GetOrAdd(table, _ => new());
            foreach (var (id, json) in rows)
            {
                Store(table, stored, id, json);
            }
        }
    }

    /// <summary>The (kafka_partition, kafka_offset) of every row stored in "dataset.table", copies included.</summary>
    internal IReadOnlyList<(long Partition, long Offset)> KafkaPositions(string table) =>
        [.. LiveRows(table).Select(r => (Long(r.GetProperty("kafka_partition")), Long(r.GetProperty("kafka_offset"))))];
}
