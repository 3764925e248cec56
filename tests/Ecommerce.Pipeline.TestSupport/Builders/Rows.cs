using Ecommerce.Pipeline.Core.Model;

namespace Ecommerce.Pipeline.TestSupport;

/// <summary>Stored rows for warehouse tests: a transaction in Berlin by default, and a dead letter.</summary>
public static class Rows
{
    public static readonly DateTime Ingested = new DateTime(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    public static TransactionRow Transaction(string id, decimal price = 10.00m, string? country = "DE", string? continent = "EU",
        string payment = "credit_card", string product = "p-1", DateTime? at = null, long offset = 0, bool geo = true,
        string? userId = "", string currency = "USD") => new()
    {
        TransactionId = id,
        UserId = userId == "" ? "u-" + id : userId!,
        ProductId = product,
        Price = price,
        Currency = currency,
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
