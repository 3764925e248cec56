using Ecommerce.Pipeline.Core.Model;

namespace Ecommerce.Pipeline.Metrics.Tests.Support;

/// <summary>Kafka records carrying contract-shaped transaction JSON.</summary>
internal static class Records
{
    public static RawRecord Transaction(long offset, string id, string price, string currency, string payment, string geo) =>
        Raw(offset, TransactionJson.Valid(id, DateTimeOffset.UtcNow.AddSeconds(-1), price, $"u{offset}", currency, payment, geo, "p1"));

    public static RawRecord Raw(long offset, string json) =>
        RawRecords.Of(json, offset, timestamp: DateTimeOffset.UtcNow.AddSeconds(-1));
}
