using System.Globalization;
using System.Text;
using CsCheck;
using Ecommerce.Pipeline.Core.Model;
using static Ecommerce.Pipeline.Core.Tests.Parsing.Harness;

namespace Ecommerce.Pipeline.Core.Tests.Parsing;

public sealed class PropertyTests
{
    private const int Iterations = 10_000;

    private static readonly byte[] ValidMessage = Encoding.UTF8.GetBytes(With("user_id", "42"));

    [Fact]
    public void Arbitrary_bytes_never_throw_and_yield_exactly_one_outcome()
    {
        var processor = Processor();
        Gen.Byte.Array[0, 400].Sample(bytes =>
        {
            var result = processor.Process([Record(bytes)]);
            Assert.Equal(1, result.Rows.Count + result.DeadLetters.Count);
            NeverAnInternalError(result);
        }, iter: Iterations);
    }

    [Fact]
    public void Mutated_valid_messages_never_throw_and_yield_exactly_one_outcome()
    {
        var processor = Processor();
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var bytes = ValidMessage.ToList();
            for (var edits = random.Next(1, 6); edits > 0 && bytes.Count > 0; edits--)
            {
                var at = random.Next(bytes.Count);
                switch (random.Next(4))
                {
                    case 0: bytes[at] = (byte)random.Next(256); break;
                    case 1: bytes.RemoveAt(at); break;
                    case 2: bytes.Insert(at, (byte)"{}[]\",:\\0123456789eE.-tfn \u00ff"[random.Next(27)]); break;
                    default: bytes.RemoveRange(at, bytes.Count - at); break;
                }
            }

            var result = processor.Process([Record(bytes.ToArray())]);
            Assert.Equal(1, result.Rows.Count + result.DeadLetters.Count);
            if (result.DeadLetters.Count == 1)
            {
                Assert.True(DeadLetterReasons.TryParse(result.DeadLetters[0].ReasonCode, out _));
            }

            NeverAnInternalError(result);
        }, iter: Iterations);
    }

    /// <summary>Arbitrary JSON string escapes (surrogates, controls, NUL, broken ones) in every field's string.</summary>
    [Fact]
    public void Arbitrary_escapes_in_every_field_never_throw_and_yield_exactly_one_outcome()
    {
        var processor = Processor();
        string[] escapes = ["\\ud800", "\\udc00", "\\ud83d\\ude00", "\\u0000", "\\u001f", "\\u007f", "\\uffff", "\\n", "\\\\", "\\\"", "\\u12", "\\x"];
        var fields = new[] { "transaction_id", "user_id", "product_id", "price", "currency", "timestamp", "payment_method", "geolocation" };
        // Every field a string, so an escape can go inside each.
        var json = "{\"currency\":\"USD\"," + With("price", "\"19.99\"")[1..];
        Gen.Select(Gen.Int[0, fields.Length - 1], Gen.Int[0, escapes.Length - 1].Array[1, 4], Gen.Int[0, 8]).Sample((field, picks, at) =>
        {
            var name = "\"" + fields[field] + "\":\"";
            var start = json.IndexOf(name, StringComparison.Ordinal) + name.Length;
            var end = json.IndexOf('"', start);
            var position = start + Math.Min(at, end - start);
            var value = json.Insert(position, string.Concat(picks.Select(p => escapes[p])));

            var result = processor.Process([Record(value)]);

            Assert.Equal(1, result.Rows.Count + result.DeadLetters.Count);
            NeverAnInternalError(result);
        }, iter: Iterations);
    }

    private static void NeverAnInternalError(Ecommerce.Pipeline.Core.Processing.BatchResult result)
    {
        if (result.DeadLetters.Count == 1 && result.DeadLetters[0].Reason == DeadLetterReason.InternalError)
        {
            Assert.Fail($"the parser threw: {result.DeadLetters[0].Detail} for {result.DeadLetters[0].Payload}");
        }
    }

    private sealed record Canonical(string TxId, string UserId, string ProductId, long Cents, string Currency,
        DateTime Timestamp, string PaymentMethod);

    private static readonly string[] CurrencyCodes = ["USD", "EUR", "GBP", "JPY", "CAD", "CHF"];

    private static readonly Dictionary<string, string[]> PaymentSpellings = new()
    {
        ["credit_card"] = ["credit_card", "Credit Card", "CREDIT-CARD", "visa", "Mastercard", "amex", "cc"],
        ["debit_card"] = ["debit_card", "Debit", "debit card"],
        ["paypal"] = ["paypal", "PayPal", "pay_pal"],
        ["apple_pay"] = ["apple_pay", "Apple Pay"],
        ["google_pay"] = ["google_pay", "GPay", "google-pay"],
        ["bank_transfer"] = ["bank_transfer", "wire", "ACH", "SEPA"],
        ["gift_card"] = ["gift_card", "Gift Card"],
        ["cash_on_delivery"] = ["cash_on_delivery", "COD", "cash"],
        ["crypto"] = ["crypto", "Bitcoin", "BTC"],
    };

    private static readonly Gen<Canonical> CanonicalGen =
        Gen.Select(Gen.Long[0, long.MaxValue], Gen.Long[0, 99_999_999], Gen.Int[0, 99_999], Gen.Long[0, PriceParserMaxCents],
            Gen.Int[0, CurrencyCodes.Length - 1], Gen.Long[-(7L * 24 * 3600 * 1000) + 1, 4 * 60 * 1000],
            Gen.Int[0, PaymentSpellings.Count - 1],
            (tx, user, product, cents, currency, deltaMs, payment) => new Canonical(
                tx % 3 == 0 ? tx.ToString(CultureInfo.InvariantCulture) : "tx-" + tx.ToString("x", CultureInfo.InvariantCulture),
                user.ToString(CultureInfo.InvariantCulture),
                "sku-" + product.ToString(CultureInfo.InvariantCulture),
                cents,
                CurrencyCodes[currency],
                Now.UtcDateTime.AddMilliseconds(deltaMs),
                PaymentSpellings.Keys.ElementAt(payment)));

    private const long PriceParserMaxCents = 100_000_000;

    [Fact]
    public void A_valid_transaction_in_any_accepted_form_yields_the_same_row()
    {
        var processor = Processor();
        Gen.Select(CanonicalGen, Gen.Int).Sample((canonical, renderSeed) =>
        {
            var json = Render(canonical, new Random(renderSeed));
            var result = processor.Process([Record(json)]);
            if (result.Rows.Count != 1)
            {
                var dl = result.DeadLetters[0];
                Assert.Fail($"{dl.ReasonCode} ({dl.Detail}) for {json}");
            }

            var row = result.Rows[0];
            Assert.Equal(canonical.TxId, row.TransactionId);
            Assert.Equal(canonical.UserId, row.UserId);
            Assert.Equal(canonical.ProductId, row.ProductId);
            Assert.Equal(canonical.Cents, decimal.ToInt64(row.Price * 100));
            Assert.Equal(2, row.Price.Scale);
            Assert.Equal(canonical.Currency, row.Currency);
            Assert.Equal(canonical.Timestamp, row.EventTimestamp);
            Assert.Equal(canonical.PaymentMethod, row.PaymentMethod);
        }, iter: Iterations);
    }

    private static string Render(Canonical c, Random random)
    {
        string Pick(params string[] options) => options[random.Next(options.Length)];
        string Ws() => random.Next(4) == 0 ? Pick(" ", "\n", "\t", "  ") : string.Empty;
        string Quote(string s) => "\"" + s + "\"";
        string Id(string id) => id.All(char.IsAsciiDigit) && random.Next(2) == 0
            ? id
            : Quote(Pick("", " ", "\\t") + id + Pick("", " ", "  ", "\\n"));

        var fields = new List<(string Name, string Value)>
        {
            (Pick("transaction_id", "transactionId"), Id(c.TxId)),
            (Pick("user_id", "userId"), Id(c.UserId)),
            (Pick("product_id", "productId"), Id(c.ProductId)),
            (Pick("payment_method", "paymentMethod"), Quote(Pick(PaymentSpellings[c.PaymentMethod]))),
            ("timestamp", RenderTimestamp(c.Timestamp, random)),
        };
        var (price, currencyField) = RenderPrice(c, random);
        fields.Add(("price", price));
        if (currencyField is not null)
        {
            fields.Add(("currency", currencyField));
        }

        if (random.Next(3) == 0)
        {
            fields.Add(("note", "{\"nested\":[1,2,{\"price\":\"ignored\"}]}"));
        }

        if (random.Next(3) == 0)
        {
            fields.Add(("geolocation", Pick("\"48.8566, 2.3522\"", "{\"lat\":35.68,\"lng\":139.69}", "\"Berlin, Germany\"", "\"BR\"", "42")));
        }

        var shuffled = fields.OrderBy(_ => random.Next()).Select(f => Ws() + Quote(f.Name) + Ws() + ":" + Ws() + f.Value + Ws());
        return Ws() + "{" + string.Join(",", shuffled) + "}" + Ws();
    }

    private static (string Price, string? CurrencyField) RenderPrice(Canonical c, Random random)
    {
        var units = c.Cents / 100;
        var plain = units.ToString(CultureInfo.InvariantCulture) + "." + (c.Cents % 100).ToString("00", CultureInfo.InvariantCulture);
        // Extra digits that round away to nothing (< half a cent).
        var amount = random.Next(3) == 0 ? plain + random.Next(0, 5) + random.Next(0, 10) : plain;
        var grouped = units.ToString("#,0", CultureInfo.InvariantCulture) + amount[amount.IndexOf('.', StringComparison.Ordinal)..];
        var symbol = c.Currency switch { "USD" => "$", "EUR" => "€", "GBP" => "£", "JPY" => "¥", _ => null };
        string? CurrencyField(bool required) =>
            required || random.Next(2) == 0
                ? "\"" + (random.Next(2) == 0 ? c.Currency : c.Currency.ToLowerInvariant()) + "\""
                : null;

        switch (random.Next(5))
        {
            case 0: // JSON number
                var number = random.Next(3) == 0 ? c.Cents.ToString(CultureInfo.InvariantCulture) + "e-2" : amount;
                return (number, CurrencyField(c.Currency != "USD"));
            case 1 when symbol is not null: // symbol before or after
                var text = random.Next(2) == 0 ? grouped : amount;
                return (random.Next(2) == 0 ? $"\"{symbol}{text}\"" : $"\"{text} {symbol}\"", CurrencyField(false));
            case 2: // code before
                return ($"\"{c.Currency} {(random.Next(2) == 0 ? grouped : amount)}\"", CurrencyField(false));
            case 3: // code after
                return ($"\"{(random.Next(2) == 0 ? grouped : amount)} {c.Currency.ToLowerInvariant()}\"", CurrencyField(false));
            default: // plain string
                return ($"\"{(random.Next(2) == 0 ? grouped : amount)}\"", CurrencyField(c.Currency != "USD"));
        }
    }

    private static string RenderTimestamp(DateTime utc, Random random)
    {
        var ms = new DateTimeOffset(utc).ToUnixTimeMilliseconds();
        switch (random.Next(8))
        {
            case 0:
                return "\"" + utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) + "\"";
            case 1:
                var offset = TimeSpan.FromMinutes(15 * random.Next(-48, 57));
                return "\"" + new DateTimeOffset(utc).ToOffset(offset).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture) + "\"";
            case 2:
                return "\"" + utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture) + "\"";
            case 3:
                return "\"" + utc.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) + "\"";
            case 4:
                return ms.ToString(CultureInfo.InvariantCulture);
            case 5:
                return "\"" + ms.ToString(CultureInfo.InvariantCulture) + "\"";
            case 6:
                return (ms / 1000).ToString(CultureInfo.InvariantCulture) + "." + (ms % 1000).ToString("000", CultureInfo.InvariantCulture);
            default:
                return "\"" + utc.ToString("yyyy-MM-dd't'HH:mm:ss.fff'z'", CultureInfo.InvariantCulture) + "\"";
        }
    }
}
