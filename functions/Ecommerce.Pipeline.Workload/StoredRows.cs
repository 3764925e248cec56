using System.Globalization;
using Ecommerce.Pipeline.Core.Model;

namespace Ecommerce.Pipeline.Workload;

/// <summary>
/// Rows as the transform hands them to a sink, for driving a sink alone (the scale bench, the sink's benchmarks):
/// distinct ids from a seed and a running number, event times advancing at the design's 833 transactions a second
/// (a day holds 72 M rows), the same number giving the same row again.
/// </summary>
public static class StoredRows
{
    public const double EventsPerSecond = 833;

    /// <summary>Rows number <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> − 1.</summary>
    public static TransactionRow[] Batch(string seed, DateTime start, long first, int count)
    {
        var ingested = DateTime.UtcNow;
        var batch = new TransactionRow[count];
        for (var i = 0; i < batch.Length; i++)
        {
            var n = first + i;
            // Whole microseconds: what DuckDB stores.
            var at = start.AddTicks((long)(n / EventsPerSecond * TimeSpan.TicksPerSecond) / 10 * 10);
            batch[i] = new TransactionRow
            {
                TransactionId = string.Create(CultureInfo.InvariantCulture, $"tx-{seed}-{n}"),
                UserId = string.Create(CultureInfo.InvariantCulture, $"u{n % 50_000:D6}"),
                ProductId = string.Create(CultureInfo.InvariantCulture, $"p-{n % 2_000}"),
                Price = 1m + n % 100_000 / 100m,
                Currency = "USD",
                EventTimestamp = at,
                PaymentMethod = "credit_card",
                PaymentMethodRaw = "CREDIT_CARD",
                CountryCode = "DE",
                Continent = "EU",
                City = "Berlin",
                Latitude = 52.52,
                Longitude = 13.405,
                GeolocationRaw = "52.52,13.405",
                KafkaTopic = "transactions_stream",
                KafkaPartition = (int)(n % 6),
                KafkaOffset = n / 6,
                KafkaTimestamp = at,
                IngestedAt = ingested,
                SourceIndex = i,
            };
        }

        return batch;
    }
}
