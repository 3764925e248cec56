using System.Text;
using Ecommerce.Pipeline.Core.Geo;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;
using Microsoft.Extensions.Time.Testing;

namespace Ecommerce.Pipeline.Core.Tests.Parsing;

/// <summary>Runs single messages through the real batch processor at a fixed clock.</summary>
internal static class Harness
{
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    public static BatchProcessor Processor(DateTimeOffset? now = null) =>
        new(new FakeTimeProvider(now ?? Now), GeoResolver.Default);

    public static RawRecord Record(byte[] value, long offset = 0) => RawRecords.Of(value, offset, key: "u1", timestamp: Now);

    public static RawRecord Record(string json, long offset = 0) => Record(Encoding.UTF8.GetBytes(json), offset);

    public static TransactionRow Row(string json, DateTimeOffset? now = null)
    {
        var result = Processor(now).Process([Record(json)]);
        if (result.DeadLetters.Count > 0)
        {
            var dl = result.DeadLetters[0];
            throw new Xunit.Sdk.XunitException($"Expected a row, got {dl.ReasonCode} ({dl.Detail}) for {json}");
        }

        return Assert.Single(result.Rows);
    }

    public static DeadLetter Dead(string json, DateTimeOffset? now = null) => Dead(Encoding.UTF8.GetBytes(json), now);

    public static DeadLetter Dead(byte[] value, DateTimeOffset? now = null)
    {
        var result = Processor(now).Process([Record(value)]);
        Assert.Empty(result.Rows);
        return Assert.Single(result.DeadLetters);
    }

    /// <summary>A valid message with one field replaced (or removed, when value is null).</summary>
    public static string With(string field, string? jsonValue)
    {
        var fields = new Dictionary<string, string>
        {
            ["transaction_id"] = "\"tx-1\"",
            ["user_id"] = "\"user-1\"",
            ["product_id"] = "\"prod-1\"",
            ["price"] = "19.99",
            ["timestamp"] = "\"2026-11-25T11:59:00Z\"",
            ["payment_method"] = "\"visa\"",
            ["geolocation"] = "\"Paris, FR\"",
        };
        if (jsonValue is null)
        {
            fields.Remove(field);
        }
        else
        {
            fields[field] = jsonValue;
        }

        return "{" + string.Join(",", fields.Select(kv => $"\"{kv.Key}\":{kv.Value}")) + "}";
    }
}
