using System.Globalization;
using System.Text;
using System.Text.Unicode;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ecommerce.Pipeline.Core.Geo;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Parsing;
using Ecommerce.Pipeline.Core.Processing;
using Microsoft.Extensions.Time.Testing;

namespace Ecommerce.Pipeline.Workload.Tests;

public sealed partial class SyntheticTransactionsTests
{
    private static readonly DateTimeOffset Now = new(2025, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] Aliases = ["visa", "Credit Card", "gpay", "COD", "btc"];

    private sealed record Generated(byte[] Key, byte[] Value, DeadLetterReason? Expected);

    private static List<Generated> Generate(int seed, double badRatio, int count, TimeProvider? time = null)
    {
        using var generator = new SyntheticTransactions(seed, badRatio, time ?? new FakeTimeProvider(Now));
        var list = new List<Generated>(count);
        for (var i = 0; i < count; i++)
        {
            var m = generator.Next();
            list.Add(new Generated(m.Key.ToArray(), m.Value.ToArray(), m.ExpectedReason));
        }

        return list;
    }

    [Fact]
    public void The_same_seed_and_clock_give_the_same_bytes_and_another_seed_does_not()
    {
        var a = Generate(42, 0.1, 3_000);
        var b = Generate(42, 0.1, 3_000);
        var c = Generate(43, 0.1, 3_000);

        for (var i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Key, b[i].Key);
            Assert.Equal(a[i].Value, b[i].Value);
            Assert.Equal(a[i].Expected, b[i].Expected);
        }

        Assert.True(a.Zip(c).Count(p => p.First.Value.AsSpan().SequenceEqual(p.Second.Value)) < 10);
    }

    [Fact]
    public void Without_a_bad_ratio_every_message_is_valid()
    {
        Assert.All(Generate(7, 0, 5_000), m => Assert.Null(m.Expected));
    }

    [Fact]
    public void A_bad_ratio_breaks_that_share_of_messages_cycling_through_every_reason()
    {
        var messages = Generate(1, 0.2, 5_000);
        var bad = messages.Where(m => m.Expected is not null).ToList();

        Assert.InRange(bad.Count, 900, 1_100);
        var perReason = bad.GroupBy(m => m.Expected!.Value).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(SyntheticTransactions.InjectableReasons.OrderBy(r => r), perReason.Keys.OrderBy(r => r));
        // Cycling, not sampling: the kinds are within one of each other.
        Assert.True(perReason.Values.Max() - perReason.Values.Min() <= 1);
    }

    [Fact]
    public void Bad_messages_are_broken_the_way_their_reason_says()
    {
        foreach (var m in Generate(3, 0.5, 4_000).Where(m => m.Expected is not null))
        {
            var reason = m.Expected!.Value;
            if (reason == DeadLetterReason.MessageTooLarge)
            {
                Assert.True(m.Value.Length > 64 * 1024);
                continue;
            }

            Assert.True(m.Value.Length <= 64 * 1024);
            if (reason == DeadLetterReason.InvalidEncoding)
            {
                Assert.False(Utf8.IsValid(m.Value));
                continue;
            }

            Assert.True(Utf8.IsValid(m.Value), reason.ToCode());
            if (reason == DeadLetterReason.MalformedJson)
            {
                Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(m.Value).Dispose());
                continue;
            }

            using var doc = JsonDocument.Parse(m.Value);
            if (reason == DeadLetterReason.NotAnObject)
            {
                Assert.NotEqual(JsonValueKind.Object, doc.RootElement.ValueKind);
            }
            else
            {
                Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
            }
        }
    }

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

    [Fact]
    public void The_data_looks_like_a_shop()
    {
        var messages = Generate(9, 0, 20_000);
        var products = new Dictionary<string, int>();
        var users = new Dictionary<string, int>();
        var payments = new Dictionary<string, int>();
        var usdPrices = new List<decimal>();
        foreach (var m in messages)
        {
            using var doc = JsonDocument.Parse(m.Value);
            var root = doc.RootElement;
            var product = IdText(Prop(root, "product_id", "productId")!.Value);
            products[product] = products.GetValueOrDefault(product) + 1;
            var user = Encoding.UTF8.GetString(m.Key);
            users[user] = users.GetValueOrDefault(user) + 1;
            var payment = Prop(root, "payment_method", "paymentMethod");
            var canonical = payment is null ? PaymentMethods.Unknown : PaymentMethods.Canonicalize(payment.Value.GetString());
            payments[canonical] = payments.GetValueOrDefault(canonical) + 1;
            if (root.GetProperty("price") is { ValueKind: JsonValueKind.Number } price && !root.TryGetProperty("currency", out _))
            {
                usdPrices.Add(price.GetDecimal());
            }
        }

        // Zipf-like: the 50 best sellers take a large share, and there is a long tail of rarely bought ones.
        var top50 = products.Values.OrderDescending().Take(50).Sum();
        Assert.InRange(top50 / (double)messages.Count, 0.25, 0.7);
        Assert.True(products.Count > 2_500, $"{products.Count} distinct products");

        // Sessions: most messages come from a user who buys more than once.
        var repeat = users.Values.Where(n => n > 1).Sum();
        Assert.True(repeat > messages.Count / 2, $"{repeat} messages from repeat users");

        usdPrices.Sort();
        Assert.InRange(usdPrices[usdPrices.Count / 2], 20m, 60m);
        Assert.True(usdPrices[^1] > 500m && usdPrices[^1] <= 1_000_000m);

        Assert.InRange(payments[PaymentMethods.CreditCard] / (double)messages.Count, 0.40, 0.50);
        Assert.InRange(payments[PaymentMethods.PayPal] / (double)messages.Count, 0.11, 0.19);
        Assert.InRange(payments[PaymentMethods.Crypto] / (double)messages.Count, 0.003, 0.02);
    }

    [Fact]
    public void Valid_timestamps_are_a_little_before_the_clock_and_bad_ones_far_from_it()
    {
        foreach (var m in Generate(13, 0.3, 5_000))
        {
            if (m.Expected is not (null or DeadLetterReason.TimestampInFuture or DeadLetterReason.TimestampTooOld))
            {
                continue;
            }

            using var doc = JsonDocument.Parse(m.Value);
            if (ReadTimestamp(doc.RootElement.GetProperty("timestamp")) is not { } at)
            {
                continue; // local-time forms: not worth re-implementing the parser here
            }

            switch (m.Expected)
            {
                case null:
                    Assert.InRange(at, Now.AddSeconds(-10), Now);
                    break;
                case DeadLetterReason.TimestampInFuture:
                    Assert.True(at > Now.AddMinutes(10));
                    break;
                default:
                    Assert.True(at < Now.AddDays(-7.5));
                    break;
            }
        }
    }

    [Fact]
    public void The_batch_processor_stores_every_valid_message_and_gives_each_bad_one_its_expected_reason()
    {
        var time = new FakeTimeProvider(Now);
        var messages = Generate(21, 0.15, 10_000, time);
        var records = messages
            .Select((m, i) => new RawRecord(m.Key, m.Value, "transactions_stream", 0, i, Now))
            .ToList();

        var result = new BatchProcessor(time, GeoResolver.Default).Process(records);

        Assert.Equal(0, result.Duplicates);
        var rows = result.Rows.ToDictionary(r => r.KafkaOffset);
        var deadLetters = result.DeadLetters.ToDictionary(d => d.KafkaOffset);
        for (var i = 0; i < messages.Count; i++)
        {
            var expected = messages[i].Expected;
            if (expected is null)
            {
                Assert.True(rows.TryGetValue(i, out var row), $"message {i} has no row: {Describe(deadLetters.GetValueOrDefault(i))}\n{Encoding.UTF8.GetString(messages[i].Value)}");
                Assert.Equal(Encoding.UTF8.GetString(messages[i].Key), row.UserId);
            }
            else
            {
                Assert.True(deadLetters.TryGetValue(i, out var deadLetter), $"bad message {i} ({expected.Value.ToCode()}) was stored\n{Encoding.UTF8.GetString(messages[i].Value)}");
                Assert.True(expected == deadLetter.Reason, $"message {i}: expected {expected.Value.ToCode()}, got {Describe(deadLetter)}\n{Encoding.UTF8.GetString(messages[i].Value)}");
            }
        }

        Assert.Equal(messages.Count(m => m.Expected is null), result.Rows.Count);
        Assert.Equal(messages.Count(m => m.Expected is not null), result.DeadLetters.Count);

        // Real cities on every inhabited continent: almost every row with a geolocation resolves to a country.
        var located = result.Rows.Where(r => r.GeolocationRaw is not null).ToList();
        Assert.True(located.Count(r => r.CountryCode is not null) >= located.Count * 0.95, "most geolocations resolve");
        Assert.Superset(new HashSet<string?> { "AF", "AS", "EU", "NA", "OC", "SA" }, result.Rows.Select(r => r.Continent).ToHashSet());
        Assert.Superset(PaymentMethods.All.ToHashSet(), result.Rows.Select(r => r.PaymentMethod).ToHashSet());
    }

    private static string Describe(DeadLetter? deadLetter) =>
        deadLetter is null ? "none" : $"{deadLetter.ReasonCode} ({deadLetter.Detail})";

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
