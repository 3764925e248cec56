using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Parsing;

namespace Ecommerce.Pipeline.Workload.Tests;

public sealed partial class SyntheticTransactionsTests
{
    private static readonly string[] Aliases = ["visa", "Credit Card", "gpay", "COD", "btc"];

    [Fact]
    public void Valid_messages_are_json_objects_with_unique_ids_keyed_by_their_user_id()
    {
        var messages = Generate(11, 0.1, 10_000);
        var ids = new HashSet<string>();
        foreach (var m in messages)
        {
            Assert.NotEmpty(m.Key);
            if (m.Expected >= DeadLetterReason.MissingField)
            {
                // Field-level defects still carry a readable, unique id unless the id itself is the defect.
                using var bad = JsonDocument.Parse(m.Value);
                if (Prop(bad.RootElement, "transaction_id", "transactionId") is { ValueKind: JsonValueKind.String } badId
                    && badId.GetString()!.Trim() is { Length: > 0 and <= 128 } text && !text.Any(char.IsControl))
                {
                    Assert.True(ids.Add(text), $"duplicate id {text}");
                }
            }

            if (m.Expected is not null)
            {
                continue;
            }

            using var doc = JsonDocument.Parse(m.Value);
            var root = doc.RootElement;
            Assert.Equal(JsonValueKind.Object, root.ValueKind);
            Assert.True(ids.Add(IdText(Prop(root, "transaction_id", "transactionId")!.Value)));
            Assert.Equal(IdText(Prop(root, "user_id", "userId")!.Value), Encoding.UTF8.GetString(m.Key));
            Assert.NotNull(Prop(root, "product_id", "productId"));
            Assert.NotNull(Prop(root, "price"));
            Assert.NotNull(Prop(root, "timestamp"));
        }
    }

    [Fact]
    public void Every_accepted_input_form_occurs_within_ten_thousand_messages()
    {
        var seen = new HashSet<string>();
        var canonicalPayments = new HashSet<string>();
        var rawPayments = new HashSet<string>();
        var cities = new HashSet<string>();
        foreach (var m in Generate(5, 0, 10_000))
        {
            using var doc = JsonDocument.Parse(m.Value);
            var root = doc.RootElement;
            if (root.TryGetProperty("transactionId", out _))
            {
                seen.Add("camelCase");
            }

            seen.Add("tx:" + IdForm(Prop(root, "transaction_id", "transactionId")!.Value));
            seen.Add("user:" + IdForm(Prop(root, "user_id", "userId")!.Value));
            seen.Add("product:" + IdForm(Prop(root, "product_id", "productId")!.Value));
            var price = root.GetProperty("price");
            seen.Add("price:" + PriceForm(price));
            if (price.ValueKind == JsonValueKind.String && price.GetString()!.Contains(',', StringComparison.Ordinal))
            {
                seen.Add("price:thousands");
            }

            if (root.TryGetProperty("currency", out var currency))
            {
                seen.Add(currency.GetString()!.Any(char.IsAsciiLetterLower) ? "currency:lower" : "currency");
            }

            seen.Add("timestamp:" + TimestampForm(root.GetProperty("timestamp")));
            seen.Add("geo:" + GeoForm(root, cities));

            var payment = Prop(root, "payment_method", "paymentMethod");
            canonicalPayments.Add(payment is null ? PaymentMethods.Unknown : PaymentMethods.Canonicalize(payment.Value.GetString()));
            if (payment is not null)
            {
                rawPayments.Add(payment.Value.GetString()!);
            }
        }

        string[] expected =
        [
            "camelCase",
            "tx:string", "tx:number", "tx:padded", "user:string", "user:number", "user:numeric-string",
            "product:string", "product:number", "product:numeric-string",
            "price:decimal-number", "price:integer-number", "price:$", "price:€", "price:£", "price:¥", "price:code-before",
            "price:code-after", "price:numeric-string", "price:thousands", "currency", "currency:lower",
            "timestamp:iso-z", "timestamp:iso-offset", "timestamp:iso-local", "timestamp:space", "timestamp:epoch-s",
            "timestamp:epoch-ms", "timestamp:numeric-string",
            "geo:missing", "geo:pair", "geo:pair-spaced", "geo:object-lon", "geo:object-lng", "geo:city-alpha2",
            "geo:city-alpha3", "geo:city-name", "geo:city-region-country", "geo:bare-code", "geo:bare-name",
        ];
        Assert.Empty(expected.Except(seen));
        Assert.Equal(PaymentMethods.All.Order(), canonicalPayments.Order());
        Assert.Empty(Aliases.Except(rawPayments));
        Assert.True(cities.Count >= 50, $"only {cities.Count} cities");
    }


    // ---- classification of input forms --------------------------------------------------------------------

    private static JsonElement? Prop(JsonElement root, string name, string? alias = null) =>
        root.TryGetProperty(name, out var value) || (alias is not null && root.TryGetProperty(alias, out value)) ? value : null;

    private static string IdText(JsonElement id) =>
        id.ValueKind == JsonValueKind.Number ? id.GetRawText() : id.GetString()!.Trim();

    private static string IdForm(JsonElement id) => id.ValueKind switch
    {
        JsonValueKind.Number => "number",
        _ when id.GetString() is { } s && s != s.Trim() => "padded",
        _ when id.GetString()!.All(char.IsAsciiDigit) => "numeric-string",
        _ => "string",
    };

    private static string PriceForm(JsonElement price)
    {
        if (price.ValueKind == JsonValueKind.Number)
        {
            return price.GetRawText().Contains('.', StringComparison.Ordinal) ? "decimal-number" : "integer-number";
        }

        var text = price.GetString()!;
        return text switch
        {
            ['$', ..] => "$",
            ['€', ..] => "€",
            ['£', ..] => "£",
            ['¥', ..] => "¥",
            _ when CodeBefore().IsMatch(text) => "code-before",
            _ when CodeAfter().IsMatch(text) => "code-after",
            _ when decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _) => "numeric-string",
            _ => "unexpected:" + text,
        };
    }

    private static string TimestampForm(JsonElement timestamp)
    {
        if (timestamp.ValueKind == JsonValueKind.Number)
        {
            return timestamp.GetInt64() >= 100_000_000_000 ? "epoch-ms" : "epoch-s";
        }

        var text = timestamp.GetString()!;
        return text switch
        {
            _ when text.All(char.IsAsciiDigit) => "numeric-string",
            _ when text.EndsWith('Z') => "iso-z",
            _ when OffsetSuffix().IsMatch(text) => "iso-offset",
            _ when text.Contains('T', StringComparison.Ordinal) => "iso-local",
            _ when text.Contains(' ', StringComparison.Ordinal) => "space",
            _ => "unexpected:" + text,
        };
    }

    private static string GeoForm(JsonElement root, HashSet<string> cities)
    {
        if (!root.TryGetProperty("geolocation", out var geo))
        {
            return "missing";
        }

        if (geo.ValueKind == JsonValueKind.Object)
        {
            return geo.TryGetProperty("lng", out _) ? "object-lng" : "object-lon";
        }

        var text = geo.GetString()!;
        if (Pair().IsMatch(text))
        {
            return text.Contains(' ', StringComparison.Ordinal) ? "pair-spaced" : "pair";
        }

        var parts = text.Split(", ");
        if (parts.Length > 1)
        {
            cities.Add(parts[0]);
        }

        return parts.Length switch
        {
            1 when Code().IsMatch(text) => "bare-code",
            1 => "bare-name",
            2 when parts[1].Length == 2 && Code().IsMatch(parts[1]) => "city-alpha2",
            2 when parts[1].Length == 3 && Code().IsMatch(parts[1]) => "city-alpha3",
            2 => "city-name",
            _ => "city-region-country",
        };
    }

    /// <summary>The UTC forms a test can read without re-implementing the parser; null for the rest.</summary>
    private static DateTimeOffset? ReadTimestamp(JsonElement timestamp)
    {
        if (timestamp.ValueKind == JsonValueKind.Number || timestamp.GetString()!.All(char.IsAsciiDigit))
        {
            var epoch = timestamp.ValueKind == JsonValueKind.Number ? timestamp.GetInt64() : long.Parse(timestamp.GetString()!, CultureInfo.InvariantCulture);
            return epoch >= 100_000_000_000 ? DateTimeOffset.FromUnixTimeMilliseconds(epoch) : DateTimeOffset.FromUnixTimeSeconds(epoch);
        }

        var text = timestamp.GetString()!;
        return text.EndsWith('Z') || OffsetSuffix().IsMatch(text)
            ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture)
            : null;
    }

    [GeneratedRegex(@"^[A-Z]{3} \d+(\.\d\d)?$")]
    private static partial Regex CodeBefore();

    [GeneratedRegex(@"^\d+(\.\d\d)? [A-Z]{3}$")]
    private static partial Regex CodeAfter();

    [GeneratedRegex(@"[+-]\d\d:\d\d$")]
    private static partial Regex OffsetSuffix();

    [GeneratedRegex(@"^-?\d+\.\d+, ?-?\d+\.\d+$")]
    private static partial Regex Pair();

    [GeneratedRegex(@"^[A-Z]{2,3}$")]
    private static partial Regex Code();
}
