using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Core.Geo;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;

namespace Ecommerce.Pipeline.Core.Parsing;

/// <summary>Why a record was rejected, and what the dead letter says about it.</summary>
internal readonly record struct ParseFailure(DeadLetterReason Reason, string? Detail, string? TransactionId);

/// <summary>Turns one record into a row or the reason it has none (the seam tests use to make a record fail).</summary>
internal interface IRecordParser
{
    bool TryParse(in RawRecord record, in BatchClock clock, int sourceIndex, out TransactionRow? row, out ParseFailure failure);
}

/// <summary>
/// Parses one Kafka value straight from its UTF-8 bytes with <see cref="Utf8JsonReader"/> (no reflection, no DOM),
/// then validates, cleans and enriches it (docs/contract.md, "Input forms" and "Reason codes"). Checks run in the
/// order of the reason table, field checks in the order transaction_id, user_id, product_id, price, currency,
/// timestamp; the first failure decides.
/// </summary>
/// <remarks>
/// Rule for a field given twice in one object (including a snake_case name and its camelCase alias): the message is
/// ambiguous, so it is rejected as <c>malformed_json</c> ("duplicate field 'x'"), as strict JSON parsers do.
/// Unknown fields, duplicated or not, are ignored.
/// </remarks>
internal sealed class TransactionParser : IRecordParser
{
    public const int MaxIdLength = 128;
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromMinutes(5);

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    private readonly GeoResolver _geo;

    // Bounded caches of repeated texts (see SpanCache): hits allocate nothing and skip the resolving work.
    private readonly SpanCache<GeoLocation> _places = new(capacity: 50_000, maxKeyLength: 128);
    private readonly SpanCache<string> _payments = new(capacity: 10_000, maxKeyLength: 64);
    private readonly SpanCache<bool> _userIds = new(capacity: 200_000, maxKeyLength: MaxIdLength);
    private readonly SpanCache<bool> _productIds = new(capacity: 200_000, maxKeyLength: MaxIdLength);

    public TransactionParser(GeoResolver geo) => _geo = geo;

    private enum Field
    {
        None = -1,
        TransactionId,
        UserId,
        ProductId,
        Price,
        Currency,
        Timestamp,
        PaymentMethod,
        Geolocation,
    }

    private static readonly string[] FieldNames =
        ["transaction_id", "user_id", "product_id", "price", "currency", "timestamp", "payment_method", "geolocation"];

    /// <summary>Where a field's value sits in the message.</summary>
    private struct Slot
    {
        public JsonTokenType Kind; // None when absent
        public int Start;          // of the value's content (inside the quotes for strings)
        public int Length;
        public int RawStart;       // of the whole token (quotes and braces included)
        public int RawLength;
        public string? Unescaped;  // for strings that contained escapes
        public double? Latitude;   // for a geolocation object
        public double? Longitude;
    }

    /// <summary>Slots for every known field, held inline so a parse allocates nothing for them.</summary>
    [System.Runtime.CompilerServices.InlineArray(8)]
    private struct Slots
    {
        private Slot _element;
    }

    public bool TryParse(in RawRecord record, in BatchClock clock, int sourceIndex, out TransactionRow? row,
        out ParseFailure failure)
    {
        row = null;
        failure = default;
        var value = record.Value.Span;

        if (value.Length > Limits.MaxMessageBytes)
        {
            failure = new(DeadLetterReason.MessageTooLarge, value.Length.ToString(CultureInfo.InvariantCulture) + " bytes", null);
            return false;
        }

        if (!Utf8.IsValid(value))
        {
            failure = new(DeadLetterReason.InvalidEncoding, null, null);
            return false;
        }

        // A UTF-8 byte order mark is not JSON, but it is harmless: skip it.
        var offset = value.StartsWith("\uFEFF"u8) ? 3 : 0;
        var json = value[offset..];

        // Text escaped as a surrogate without its pair is no more Unicode than bytes that are not UTF-8.
        var lone = SurrogateEscapes.IndexOfLone(json);
        if (lone >= 0)
        {
            failure = new(DeadLetterReason.InvalidEncoding,
                $"lone surrogate escape {SurrogateEscapes.Text(json, lone)} at byte {(lone + offset).ToString(CultureInfo.InvariantCulture)}", null);
            return false;
        }

        var slots = default(Slots);
        if (!TryReadObject(json, ref slots, ref failure))
        {
            return false;
        }

        return Validate(json, ref slots, record, clock, sourceIndex, out row, ref failure);
    }

    private static bool TryReadObject(ReadOnlySpan<byte> json, ref Slots slots, ref ParseFailure failure)
    {
        for (var i = 0; i < 8; i++)
        {
            slots[i].Kind = JsonTokenType.None;
        }

        var reader = new Utf8JsonReader(json, isFinalBlock: true, new JsonReaderState(ReaderOptions));
        try
        {
            if (!reader.Read())
            {
                failure = new(DeadLetterReason.MalformedJson, "empty value", null);
                return false;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                var kind = KindName(reader.TokenType);
                // The whole value must still be well-formed JSON for "not_an_object" to apply.
                reader.Skip();
                while (reader.Read())
                {
                }

                failure = new(DeadLetterReason.NotAnObject, kind, null);
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = Match(ref reader);
                if (!reader.Read())
                {
                    break;
                }

                if (field == Field.None)
                {
                    reader.Skip();
                    continue;
                }

                ref var slot = ref slots[(int)field];
                if (slot.Kind != JsonTokenType.None)
                {
                    failure = new(DeadLetterReason.MalformedJson, $"duplicate field '{FieldNames[(int)field]}'", null);
                    return false;
                }

                Capture(ref reader, ref slot, field);
            }

            // Anything after the object (other than whitespace) makes the reader throw here.
            while (reader.Read())
            {
            }

            return true;
        }
        catch (JsonException ex)
        {
            failure = new(DeadLetterReason.MalformedJson, ex.Message, null);
            return false;
        }
    }

    private static void Capture(ref Utf8JsonReader reader, ref Slot slot, Field field)
    {
        var start = (int)reader.TokenStartIndex;
        slot.Kind = reader.TokenType;
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                slot.Start = start + 1;
                slot.Length = reader.ValueSpan.Length;
                slot.RawStart = start;
                slot.RawLength = slot.Length + 2;
                if (reader.ValueIsEscaped)
                {
                    slot.Unescaped = reader.GetString();
                    slot.RawLength = (int)reader.BytesConsumed - start;
                }

                break;
            case JsonTokenType.StartObject when field == Field.Geolocation:
                ReadCoordinates(ref reader, ref slot);
                slot.RawStart = start;
                slot.RawLength = (int)reader.BytesConsumed - start;
                break;
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                reader.Skip();
                slot.RawStart = start;
                slot.RawLength = (int)reader.BytesConsumed - start;
                break;
            default:
                slot.Start = start;
                slot.Length = reader.ValueSpan.Length;
                slot.RawStart = start;
                slot.RawLength = slot.Length;
                break;
        }
    }

    /// <summary>Reads <c>{"lat": .., "lon"|"lng": ..}</c>; the reader ends on the object's closing brace.</summary>
    private static void ReadCoordinates(ref Utf8JsonReader reader, ref Slot slot)
    {
        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }

            var isLat = reader.ValueTextEquals("lat"u8) || reader.ValueTextEquals("latitude"u8);
            var isLon = !isLat && (reader.ValueTextEquals("lon"u8) || reader.ValueTextEquals("lng"u8) ||
                                   reader.ValueTextEquals("longitude"u8));
            reader.Read();
            double? number = null;
            if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var d))
            {
                number = d;
            }
            else if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped &&
                     double.TryParse(reader.ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture, out var ds))
            {
                number = ds;
            }
            else
            {
                reader.Skip();
            }

            if (isLat)
            {
                slot.Latitude = number;
            }
            else if (isLon)
            {
                slot.Longitude = number;
            }
        }
    }

    private static Field Match(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped)
        {
            return MatchSlow(ref reader);
        }

        var name = reader.ValueSpan;
        return name.Length switch
        {
            5 when name.SequenceEqual("price"u8) => Field.Price,
            6 when name.SequenceEqual("userId"u8) => Field.UserId,
            7 when name.SequenceEqual("user_id"u8) => Field.UserId,
            8 when name.SequenceEqual("currency"u8) => Field.Currency,
            9 when name.SequenceEqual("timestamp"u8) => Field.Timestamp,
            9 when name.SequenceEqual("productId"u8) => Field.ProductId,
            10 when name.SequenceEqual("product_id"u8) => Field.ProductId,
            11 when name.SequenceEqual("geolocation"u8) => Field.Geolocation,
            13 when name.SequenceEqual("transactionId"u8) => Field.TransactionId,
            13 when name.SequenceEqual("paymentMethod"u8) => Field.PaymentMethod,
            14 when name.SequenceEqual("transaction_id"u8) => Field.TransactionId,
            14 when name.SequenceEqual("payment_method"u8) => Field.PaymentMethod,
            _ => Field.None,
        };
    }

    private static Field MatchSlow(ref Utf8JsonReader reader)
    {
        var name = reader.GetString();
        return name switch
        {
            "transaction_id" or "transactionId" => Field.TransactionId,
            "user_id" or "userId" => Field.UserId,
            "product_id" or "productId" => Field.ProductId,
            "price" => Field.Price,
            "currency" => Field.Currency,
            "timestamp" => Field.Timestamp,
            "payment_method" or "paymentMethod" => Field.PaymentMethod,
            "geolocation" => Field.Geolocation,
            _ => Field.None,
        };
    }

    private bool Validate(ReadOnlySpan<byte> json, ref Slots slots, in RawRecord record, in BatchClock clock,
        int sourceIndex, out TransactionRow? row, ref ParseFailure failure)
    {
        row = null;

        // The id for the dead letter, when it can be read.
        string? transactionId = null;
        var txStatus = ReadId(json, slots[(int)Field.TransactionId], null, out var txValue);
        if (txStatus == IdStatus.Ok)
        {
            transactionId = txValue;
        }

        // 1. missing_field, in field order.
        ReadOnlySpan<Field> required = [Field.TransactionId, Field.UserId, Field.ProductId, Field.Price, Field.Timestamp];
        foreach (var f in required)
        {
            if (IsMissing(json, slots[(int)f]))
            {
                failure = new(DeadLetterReason.MissingField, FieldNames[(int)f], transactionId);
                return false;
            }
        }

        // 2. invalid_field: the ids, then the currency code.
        if (txStatus != IdStatus.Ok)
        {
            failure = new(DeadLetterReason.InvalidField, FieldNames[(int)Field.TransactionId], null);
            return false;
        }

        if (ReadId(json, slots[(int)Field.UserId], _userIds, out var userId) != IdStatus.Ok)
        {
            failure = new(DeadLetterReason.InvalidField, FieldNames[(int)Field.UserId], transactionId);
            return false;
        }

        if (ReadId(json, slots[(int)Field.ProductId], _productIds, out var productId) != IdStatus.Ok)
        {
            failure = new(DeadLetterReason.InvalidField, FieldNames[(int)Field.ProductId], transactionId);
            return false;
        }

        string? explicitCurrency = null;
        ref var currencySlot = ref slots[(int)Field.Currency];
        if (!IsMissing(json, currencySlot))
        {
            if (currencySlot.Kind != JsonTokenType.String ||
                !Currencies.TryNormalize(Chars(json, currencySlot, stackalloc char[16]).Trim(), out explicitCurrency))
            {
                failure = new(DeadLetterReason.InvalidField, FieldNames[(int)Field.Currency], transactionId);
                return false;
            }
        }

        // 3. invalid_price.
        ref var priceSlot = ref slots[(int)Field.Price];
        decimal price;
        string? priceCurrency = null;
        var fromSymbol = false;
        Span<char> priceBuffer = stackalloc char[64];
        var priceText = Chars(json, priceSlot, priceBuffer);
        var priceStatus = priceSlot.Kind switch
        {
            JsonTokenType.Number => PriceParser.ParseJsonNumber(priceText, out price),
            JsonTokenType.String => PriceParser.ParseString(priceText, out price, out priceCurrency, out fromSymbol),
            _ => NotANumber(out price),
        };
        if (priceStatus != PriceStatus.Ok ||
            (priceCurrency is not null && explicitCurrency is not null &&
             !Currencies.Agrees(priceCurrency, fromSymbol, explicitCurrency)))
        {
            failure = new(DeadLetterReason.InvalidPrice, RawText(json, priceSlot), transactionId);
            return false;
        }

        // 4. invalid_timestamp, then the window.
        ref var tsSlot = ref slots[(int)Field.Timestamp];
        var tsText = Chars(json, tsSlot, stackalloc char[64]);
        DateTime eventTime;
        var parsed = tsSlot.Kind switch
        {
            JsonTokenType.Number => TimestampParser.TryParseNumber(tsText, out eventTime),
            JsonTokenType.String => TimestampParser.TryParseText(tsText, out eventTime),
            _ => Fail(out eventTime),
        };
        if (!parsed)
        {
            failure = new(DeadLetterReason.InvalidTimestamp, RawText(json, tsSlot), transactionId);
            return false;
        }

        if (eventTime > clock.LatestAccepted)
        {
            failure = new(DeadLetterReason.TimestampInFuture, TimestampParser.Format(eventTime), transactionId);
            return false;
        }

        if (eventTime < clock.EarliestAccepted)
        {
            failure = new(DeadLetterReason.TimestampTooOld, TimestampParser.Format(eventTime), transactionId);
            return false;
        }

        // Enrichment: never a reason to reject.
        var (paymentMethod, paymentRaw) = ReadPaymentMethod(json, slots[(int)Field.PaymentMethod], _payments);
        var geo = GeoLocation.None;
        string? geoRaw = null;
        ref var geoSlot = ref slots[(int)Field.Geolocation];
        switch (geoSlot.Kind)
        {
            case JsonTokenType.String:
                if (!_places.TryGet(Chars(json, geoSlot, stackalloc char[128]), out geoRaw, out geo))
                {
                    geoRaw = StringValue(json, geoSlot);
                    geo = _geo.ResolveText(geoRaw);
                    if (geo.Latitude is null)
                    {
                        // Place names repeat; coordinate texts rarely do, so they are not worth a cache slot.
                        _places.Add(geoRaw, geo);
                    }
                }

                break;
            case JsonTokenType.StartObject:
                geoRaw = Encoding.UTF8.GetString(json.Slice(geoSlot.RawStart, geoSlot.RawLength));
                if (geoSlot.Latitude is { } lat && geoSlot.Longitude is { } lon)
                {
                    geo = _geo.ResolveCoordinates(lat, lon);
                }

                break;
            case JsonTokenType.None or JsonTokenType.Null:
                break;
            default:
                geoRaw = RawText(json, geoSlot);
                break;
        }

        row = new TransactionRow
        {
            TransactionId = transactionId!,
            UserId = userId!,
            ProductId = productId!,
            Price = price,
            Currency = explicitCurrency ?? priceCurrency ?? Currencies.Default,
            EventTimestamp = eventTime,
            PaymentMethod = paymentMethod,
            PaymentMethodRaw = paymentRaw,
            CountryCode = geo.CountryCode,
            Continent = geo.Continent,
            City = geo.City,
            Latitude = geo.Latitude,
            Longitude = geo.Longitude,
            GeolocationRaw = geoRaw,
            KafkaTopic = record.Topic,
            KafkaPartition = record.Partition,
            KafkaOffset = record.Offset,
            KafkaTimestamp = record.Timestamp,
            IngestedAt = clock.IngestedAt,
            SourceIndex = sourceIndex,
        };
        return true;
    }

    private static PriceStatus NotANumber(out decimal price)
    {
        price = 0;
        return PriceStatus.NotANumber;
    }

    private static bool Fail(out DateTime value)
    {
        value = default;
        return false;
    }

    private enum IdStatus
    {
        Ok,
        Missing,
        Invalid,
    }

    /// <summary>An id: a string (trimmed, 1–128 characters, no control characters) or an integer number.</summary>
    private static IdStatus ReadId(ReadOnlySpan<byte> json, in Slot slot, SpanCache<bool>? cache, out string? id)
    {
        id = null;
        switch (slot.Kind)
        {
            case JsonTokenType.None or JsonTokenType.Null:
                return IdStatus.Missing;
            case JsonTokenType.Number:
                var number = json.Slice(slot.Start, slot.Length);
                if (number.IndexOfAny("."u8 + "eE"u8) >= 0 || number.Length > MaxIdLength)
                {
                    return IdStatus.Invalid;
                }

                id = Encoding.UTF8.GetString(number);
                return IdStatus.Ok;
            case JsonTokenType.String:
                // Decoded once; the string is made only for an id the cache does not already hold.
                var text = Chars(json, slot, stackalloc char[MaxIdLength]).Trim();
                if (text.IsEmpty)
                {
                    return IdStatus.Missing;
                }

                if (cache is not null && cache.TryGet(text, out var known, out _))
                {
                    // Only ids that passed validation are cached.
                    id = known;
                    return IdStatus.Ok;
                }

                if (text.Length > MaxIdLength && RuneCount(text) > MaxIdLength)
                {
                    return IdStatus.Invalid;
                }

                foreach (var c in text)
                {
                    if (char.IsControl(c))
                    {
                        return IdStatus.Invalid;
                    }
                }

                id = text.ToString();
                cache?.Add(id, true);
                return IdStatus.Ok;
            default:
                return IdStatus.Invalid;
        }
    }

    private static int RuneCount(ReadOnlySpan<char> text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    private static bool IsMissing(ReadOnlySpan<byte> json, in Slot slot) => slot.Kind switch
    {
        JsonTokenType.None or JsonTokenType.Null => true,
        JsonTokenType.String => slot.Unescaped is { } s ? string.IsNullOrWhiteSpace(s) : IsBlank(json.Slice(slot.Start, slot.Length)),
        _ => false,
    };

    private static bool IsBlank(ReadOnlySpan<byte> utf8)
    {
        foreach (var b in utf8)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                // Non-ASCII whitespace (e.g. U+00A0) is rare: decide on the decoded text.
                return b < 0x80 ? false : string.IsNullOrWhiteSpace(Encoding.UTF8.GetString(utf8));
            }
        }

        return true;
    }

    private static (string Canonical, string? Raw) ReadPaymentMethod(ReadOnlySpan<byte> json, in Slot slot,
        SpanCache<string> cache)
    {
        switch (slot.Kind)
        {
            case JsonTokenType.None or JsonTokenType.Null:
                return (PaymentMethods.Unknown, null);
            case JsonTokenType.String:
                var chars = Chars(json, slot, stackalloc char[64]);
                if (cache.TryGet(chars, out var cachedRaw, out var cachedCanonical))
                {
                    return (cachedCanonical, cachedRaw);
                }

                var canonical = PaymentMethods.Canonicalize(chars);
                // The raw text is stored as sent; reuse the canonical instance when they are the same text.
                var raw = chars.SequenceEqual(canonical) ? canonical : chars.ToString();
                cache.Add(raw, canonical);
                return (canonical, raw);
            default:
                return (PaymentMethods.Other, RawText(json, slot));
        }
    }

    /// <summary>A string field's decoded value.</summary>
    private static string StringValue(ReadOnlySpan<byte> json, in Slot slot) =>
        slot.Unescaped ?? Encoding.UTF8.GetString(json.Slice(slot.Start, slot.Length));

    /// <summary>The text of a field for a dead letter's detail: a string's value, or the JSON of anything else.</summary>
    private static string RawText(ReadOnlySpan<byte> json, in Slot slot) => slot.Kind switch
    {
        JsonTokenType.String => StringValue(json, slot),
        JsonTokenType.None => string.Empty,
        _ => Encoding.UTF8.GetString(json.Slice(slot.RawStart, slot.RawLength)),
    };

    /// <summary>The value's characters (a string's content, a number's digits), decoded into the buffer when it fits.</summary>
    private static ReadOnlySpan<char> Chars(ReadOnlySpan<byte> json, in Slot slot, Span<char> buffer)
    {
        if (slot.Unescaped is { } unescaped)
        {
            return unescaped;
        }

        if (slot.Kind is not (JsonTokenType.String or JsonTokenType.Number))
        {
            return default;
        }

        var bytes = json.Slice(slot.Start, slot.Length);
        return bytes.Length <= buffer.Length && Encoding.UTF8.TryGetChars(bytes, buffer, out var written)
            ? buffer[..written]
            : Encoding.UTF8.GetString(bytes);
    }

    private static string KindName(JsonTokenType type) => type switch
    {
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => type.ToString(),
    };
}

/// <summary>The times a batch is judged by: read once per batch from the injected <see cref="TimeProvider"/>.</summary>
internal readonly record struct BatchClock(DateTime IngestedAt, DateTime LatestAccepted, DateTime EarliestAccepted)
{
    public static BatchClock At(DateTimeOffset now)
    {
        var utc = now.UtcDateTime;
        var micros = new DateTime(utc.Ticks - utc.Ticks % 10, DateTimeKind.Utc);
        return new BatchClock(micros, utc + TransactionParser.MaxFutureSkew, utc - Limits.Retention);
    }
}
