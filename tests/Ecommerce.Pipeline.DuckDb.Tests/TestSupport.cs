using DuckDB.NET.Data;
using Ecommerce.Pipeline.Core.Model;

namespace Ecommerce.Pipeline.DuckDb.Tests;

/// <summary>The warehouse file of a test: under a folder that does not exist yet, so the sink must create it.</summary>
internal static class TempDirectoryWarehouse
{
    extension(TempDirectory directory)
    {
        public string Database => System.IO.Path.Combine(directory.Path, "nested", "warehouse.duckdb");
    }
}

internal static class Rows
{
    public static readonly DateTime Ingested = new DateTime(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    public static TransactionRow Transaction(string id, decimal price = 10.00m, string? country = "DE", string? continent = "EU",
        string payment = "credit_card", string product = "p-1", DateTime? at = null, long offset = 0, bool geo = true,
        string? userId = "") => new()
    {
        TransactionId = id,
        UserId = userId == "" ? "u-" + id : userId!,
        ProductId = product,
        Price = price,
        Currency = "USD",
        EventTimestamp = at ?? new DateTime(2025, 3, 1, 11, 59, 0, DateTimeKind.Utc),
        PaymentMethod = payment,
        PaymentMethodRaw = payment.ToUpperInvariant(),
        CountryCode = geo ? country : null,
        Continent = geo ? continent : null,
        City = geo ? "Berlin" : null,
        Latitude = geo ? 52.52 : null,
        Longitude = geo ? 13.405 : null,
        GeolocationRaw = geo ? "52.52,13.405" : null,
        KafkaTopic = "transactions_stream",
        KafkaPartition = 1,
        KafkaOffset = offset,
        KafkaTimestamp = new DateTimeOffset(2025, 3, 1, 11, 59, 1, TimeSpan.Zero),
        IngestedAt = Ingested,
        SourceIndex = 7,
    };

    public static DeadLetter DeadLetter(long offset, DeadLetterReason reason = DeadLetterReason.MalformedJson, int partition = 0,
        string topic = "transactions_stream", string payload = "{not json") =>
        StoredDeadLetters.At(offset, new DateTime(2025, 3, 1, 12, 0, 1, DateTimeKind.Utc).AddTicks(10), reason, partition, topic,
            payload, detail: "detail " + offset);
}

/// <summary>Reads the file back with a separate plain connection, independent of the code under test.</summary>
internal static class Db
{
    public static List<object?[]> Query(string path, string sql)
    {
        using var connection = new DuckDBConnection("Data Source=" + path);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    public static long Count(string path, string table) => (long)Query(path, $"SELECT count(*) FROM {table}")[0][0]!;
}
