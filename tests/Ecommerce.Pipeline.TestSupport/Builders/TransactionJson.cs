using System.Globalization;
using System.Text.Json.Nodes;

namespace Ecommerce.Pipeline.TestSupport;

/// <summary>Valid transaction messages (docs/contract.md, Input) for tests that need the JSON a producer sends.</summary>
public static class TransactionJson
{
    /// <summary>
    /// A valid transaction stamped at <paramref name="at"/> (milliseconds, UTC). A null <paramref name="currency"/> or
    /// <paramref name="geolocation"/> leaves the optional field out.
    /// </summary>
    public static string Valid(string id, DateTimeOffset at, string price = "19.99", string user = "user-1",
        string? currency = "USD", string payment = "visa", string? geolocation = "Berlin, DE", string product = "sku-42")
    {
        var json = new JsonObject
        {
            ["transaction_id"] = id,
            ["user_id"] = user,
            ["product_id"] = product,
            ["price"] = price,
        };
        if (currency is not null)
        {
            json["currency"] = currency;
        }

        json["timestamp"] = Timestamp(at);
        json["payment_method"] = payment;
        if (geolocation is not null)
        {
            json["geolocation"] = geolocation;
        }

        return json.ToJsonString();
    }

    /// <summary>The timestamp form producers send: ISO 8601, UTC, milliseconds.</summary>
    public static string Timestamp(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
