using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ecommerce.Pipeline.Core.Model;

namespace Ecommerce.Pipeline.Kafka.Producing;

/// <summary>
/// Realistic synthetic transactions: a Zipf-popular catalogue with log-normal prices, users shopping in short
/// sessions from real cities, the payment mix of a typical shop, and every input form CONTRACT §1 accepts.
/// With a bad ratio, that share of messages is broken in exactly one way per message, cycling through every
/// dead-letter reason a message can earn on its own, so the expected reason is known in advance.
/// </summary>
/// <remarks>
/// Pure and deterministic for a seed and a clock (no I/O). Not thread-safe. Each <see cref="Next"/> reuses one
/// buffer, so the returned memory is only valid until the next call.
/// </remarks>
public sealed class SyntheticTransactions : IDisposable
{
    public const int ProductCount = 5_000;
    public const int UserCount = 50_000;

    /// <summary>The processor's size limit (CONTRACT §2): values above this are <c>message_too_large</c>.</summary>
    public const int MaxValueBytes = 64 * 1024;

    /// <summary>The reasons a message can earn by itself, in check order (<c>rejected_by_sink</c> is the sink's).</summary>
    public static IReadOnlyList<DeadLetterReason> InjectableReasons { get; } =
    [
        DeadLetterReason.MessageTooLarge,
        DeadLetterReason.InvalidEncoding,
        DeadLetterReason.MalformedJson,
        DeadLetterReason.NotAnObject,
        DeadLetterReason.MissingField,
        DeadLetterReason.InvalidField,
        DeadLetterReason.InvalidPrice,
        DeadLetterReason.InvalidTimestamp,
        DeadLetterReason.TimestampInFuture,
        DeadLetterReason.TimestampTooOld,
    ];

    private const int ConcurrentSessions = 64;
    private const double MaxBasePrice = 6_000; // keeps even yen prices under the 1,000,000 limit

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Real clients send "São Paulo" and "+01:00" unescaped; escaping them would hide those forms from the parser.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        // Needed to append deliberate garbage around the writer's output.
        SkipValidation = true,
    };

    private readonly Random _rng;
    private readonly TimeProvider _time;
    private readonly double _badRatio;
    private readonly uint _seed;
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly byte[] _key = new byte[32];
    private readonly Utf8JsonWriter _writer;

    private readonly double[] _productCdf;
    private readonly int[] _productByRank;
    private readonly long[] _productCents;
    private readonly int[] _userCity;
    private readonly Session[] _sessions = new Session[ConcurrentSessions];

    private long _sequence;
    private int _nextBadKind;

    public SyntheticTransactions(int seed, double badRatio = 0, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(badRatio, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(badRatio, 1);
        _rng = new Random(seed);
        _seed = unchecked((uint)seed);
        _badRatio = badRatio;
        _time = time ?? TimeProvider.System;
        _writer = new Utf8JsonWriter(_buffer, WriterOptions);

        // Zipf(s≈1.07) popularity by rank: a few best sellers and a long tail.
        _productCdf = new double[ProductCount];
        var total = 0.0;
        for (var rank = 0; rank < ProductCount; rank++)
        {
            total += 1.0 / Math.Pow(rank + 1, 1.07);
            _productCdf[rank] = total;
        }

        for (var rank = 0; rank < ProductCount; rank++)
        {
            _productCdf[rank] /= total;
        }

        // Best sellers are not simply the lowest SKUs.
        _productByRank = Enumerable.Range(0, ProductCount).ToArray();
        _rng.Shuffle(_productByRank);

        // Log-normal base prices: median ~$35, a long tail into the thousands.
        _productCents = new long[ProductCount];
        for (var i = 0; i < ProductCount; i++)
        {
            var price = Math.Clamp(35.0 * Math.Exp(1.15 * NextGaussian()), 0.99, MaxBasePrice);
            // Shops like prices ending in .99 or .49.
            var dollars = Math.Floor(price);
            _productCents[i] = (long)dollars * 100 + (_rng.NextDouble() < 0.6 ? 99 : 49);
        }

        var cityCdf = Cumulative(Cities.All.Select(c => c.Weight));
        _userCity = new int[UserCount];
        for (var i = 0; i < UserCount; i++)
        {
            _userCity[i] = Pick(cityCdf);
        }
    }

    public void Dispose() => _writer.Dispose();

    /// <summary>How many messages have been generated.</summary>
    public long Generated => _sequence;

    /// <summary>Generates the next message. Its memory is valid until the next call.</summary>
    public OutgoingMessage Next()
    {
        var now = _time.GetUtcNow();
        var sequence = _sequence++;
        ref var session = ref NextSession();
        var keyLength = FormatUserId(session.User, _key);

        DeadLetterReason? bad = null;
        if (_badRatio > 0 && _rng.NextDouble() < _badRatio)
        {
            bad = InjectableReasons[_nextBadKind];
            _nextBadKind = (_nextBadKind + 1) % InjectableReasons.Count;
        }

        _buffer.ResetWrittenCount();
        var value = bad switch
        {
            null => WriteValid(ref session, now, sequence),
            DeadLetterReason.MessageTooLarge => WriteTooLarge(ref session, now, sequence),
            DeadLetterReason.InvalidEncoding => WriteInvalidEncoding(ref session, now, sequence),
            DeadLetterReason.MalformedJson => WriteMalformed(ref session, now, sequence),
            DeadLetterReason.NotAnObject => WriteNotAnObject(ref session, now, sequence),
            _ => WriteWithBadField(ref session, now, sequence, bad.Value),
        };

        return new OutgoingMessage(_key.AsMemory(0, keyLength), value, bad);
    }

    // ---- message kinds -------------------------------------------------------------------------------------

    private ReadOnlyMemory<byte> WriteValid(ref Session session, DateTimeOffset now, long sequence)
    {
        WriteObject(ref session, now, sequence, default);
        return _buffer.WrittenMemory;
    }

    private ReadOnlyMemory<byte> WriteTooLarge(ref Session session, DateTimeOffset now, long sequence)
    {
        // A cart export gone wrong: a valid transaction dragging an enormous line-item list. The list repeats,
        // so lz4 shrinks it on the wire and it barely dents the embedded broker's byte budget.
        WriteObject(ref session, now, sequence, new Defect(DefectField.Items, 0));
        return _buffer.WrittenMemory;
    }

    private ReadOnlyMemory<byte> WriteInvalidEncoding(ref Session session, DateTimeOffset now, long sequence)
    {
        WriteObject(ref session, now, sequence, new Defect(DefectField.Note, _rng.Next(Garbage.Latin1Notes.Length)));
        return _buffer.WrittenMemory;
    }

    private ReadOnlyMemory<byte> WriteMalformed(ref Session session, DateTimeOffset now, long sequence)
    {
        var variant = _rng.Next(6);
        switch (variant)
        {
            case 0:
            {
                // Truncated in flight; cut on a character boundary so the text stays valid UTF-8.
                WriteObject(ref session, now, sequence, default);
                var written = _buffer.WrittenMemory;
                var cut = 1 + _rng.Next(written.Length - 2);
                while (cut > 1 && (written.Span[cut] & 0xC0) == 0x80)
                {
                    cut--;
                }

                return written[..cut];
            }

            case 1:
                // A trailing comma before the closing brace.
                WriteObject(ref session, now, sequence, new Defect(DefectField.OpenEnd, 0));
                _buffer.Write(",}"u8);
                return _buffer.WrittenMemory;

            case 2:
                // Two objects glued together (a lost newline in a batch export).
                WriteObject(ref session, now, sequence, default);
                _buffer.Write("{\"transaction_id\":\"tx-"u8);
                WriteAsciiNumber(sequence);
                _buffer.Write("-b\"}"u8);
                return _buffer.WrittenMemory;

            case 3:
                // NaN is not JSON.
                WriteObject(ref session, now, sequence, new Defect(DefectField.OpenEnd, 0));
                _buffer.Write(",\"discount\":NaN}"u8);
                return _buffer.WrittenMemory;

            case 4:
                _buffer.Write("{'transaction_id': 'tx-"u8);
                WriteAsciiNumber(sequence);
                _buffer.Write("', 'user_id': 'u1', 'price': 12.5}"u8);
                return _buffer.WrittenMemory;

            default:
                _buffer.Write("transaction_id=tx-"u8);
                WriteAsciiNumber(sequence);
                _buffer.Write("&user_id=u000001&price=12.50&timestamp=now"u8);
                return _buffer.WrittenMemory;
        }
    }

    private ReadOnlyMemory<byte> WriteNotAnObject(ref Session session, DateTimeOffset now, long sequence)
    {
        switch (_rng.Next(5))
        {
            case 0:
                // A batch sent as one message.
                _buffer.Write("["u8);
                WriteObject(ref session, now, sequence, default);
                _buffer.Write("]"u8);
                break;
            case 1:
                _buffer.Write("\"tx-"u8);
                WriteAsciiNumber(sequence);
                _buffer.Write("\""u8);
                break;
            case 2:
                WriteAsciiNumber(sequence);
                break;
            case 3:
                _buffer.Write("null"u8);
                break;
            default:
                _buffer.Write("[]"u8);
                break;
        }

        return _buffer.WrittenMemory;
    }

    private ReadOnlyMemory<byte> WriteWithBadField(ref Session session, DateTimeOffset now, long sequence, DeadLetterReason reason)
    {
        var defect = reason switch
        {
            DeadLetterReason.MissingField => new Defect(DefectField.Missing, _rng.Next(5 * 4)),
            DeadLetterReason.InvalidField => new Defect(DefectField.Invalid, _rng.Next(3 * Garbage.BadIdKinds + Garbage.BadCurrencies.Length)),
            DeadLetterReason.InvalidPrice => new Defect(DefectField.Price, _rng.Next(Garbage.BadPriceKinds)),
            DeadLetterReason.InvalidTimestamp => new Defect(DefectField.Timestamp, _rng.Next(Garbage.BadTimestamps.Length)),
            DeadLetterReason.TimestampInFuture => new Defect(DefectField.Future, 0),
            DeadLetterReason.TimestampTooOld => new Defect(DefectField.TooOld, 0),
            _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "Not an injectable field defect."),
        };
        WriteObject(ref session, now, sequence, defect);
        return _buffer.WrittenMemory;
    }

    // ---- the transaction object --------------------------------------------------------------------------

    private enum DefectField : byte
    {
        None,
        Items,
        Note,
        OpenEnd,
        Missing,
        Invalid,
        Price,
        Timestamp,
        Future,
        TooOld,
    }

    /// <summary>At most one thing wrong with a message. For <see cref="DefectField.Missing"/>, Variant = field × 4 + how.</summary>
    private readonly record struct Defect(DefectField Field, int Variant);

    private const int FieldTransactionId = 0;
    private const int FieldUserId = 1;
    private const int FieldProductId = 2;
    private const int FieldPrice = 3;
    private const int FieldTimestamp = 4;

    private void WriteObject(ref Session session, DateTimeOffset now, long sequence, Defect defect)
    {
        var w = _writer;
        w.Reset(_buffer);
        w.WriteStartObject();
        var camel = session.CamelCase;

        var missingField = defect.Field == DefectField.Missing ? defect.Variant / 4 : -1;
        var invalidId = defect.Field == DefectField.Invalid && defect.Variant < 3 * Garbage.BadIdKinds ? defect.Variant / Garbage.BadIdKinds : -1;

        // transaction_id
        var txName = camel ? Names.TransactionIdCamel : Names.TransactionId;
        if (missingField == FieldTransactionId)
        {
            WriteMissing(txName, defect.Variant % 4);
        }
        else if (invalidId == FieldTransactionId)
        {
            WriteBadId(txName, defect.Variant % Garbage.BadIdKinds, sequence);
        }
        else
        {
            WriteTransactionId(txName, sequence);
        }

        // user_id
        var userName = camel ? Names.UserIdCamel : Names.UserId;
        if (missingField == FieldUserId)
        {
            WriteMissing(userName, defect.Variant % 4);
        }
        else if (invalidId == FieldUserId)
        {
            WriteBadId(userName, defect.Variant % Garbage.BadIdKinds, sequence);
        }
        else
        {
            WriteUserId(userName, session.User);
        }

        // product_id
        var product = NextProduct();
        var productName = camel ? Names.ProductIdCamel : Names.ProductId;
        if (missingField == FieldProductId)
        {
            WriteMissing(productName, defect.Variant % 4);
        }
        else if (invalidId == FieldProductId)
        {
            WriteBadId(productName, defect.Variant % Garbage.BadIdKinds, sequence);
        }
        else
        {
            WriteProductId(productName, product);
        }

        // price and currency
        var badCurrency = defect.Field == DefectField.Invalid && invalidId < 0;
        if (missingField == FieldPrice)
        {
            WriteMissing(Names.Price, defect.Variant % 4);
        }
        else if (defect.Field == DefectField.Price)
        {
            WriteBadPrice(defect.Variant);
        }
        else if (badCurrency)
        {
            // A plain number, so the price check passes and the currency check is the one that fails.
            w.WriteNumber(Names.Price, Cents(_productCents[product]));
            w.WriteString(Names.Currency, Garbage.BadCurrencies[defect.Variant - 3 * Garbage.BadIdKinds]);
        }
        else
        {
            WritePrice(ref session, product);
        }

        // timestamp
        if (missingField == FieldTimestamp)
        {
            WriteMissing(Names.Timestamp, defect.Variant % 4);
        }
        else if (defect.Field == DefectField.Timestamp)
        {
            w.WriteString(Names.Timestamp, Garbage.BadTimestamps[defect.Variant]);
        }
        else
        {
            var at = defect.Field switch
            {
                // Comfortably past the 5-minute tolerance even if processing happens a while later.
                DefectField.Future => now + TimeSpan.FromMinutes(15 + _rng.NextDouble() * 60 * 24 * 3),
                // Older than the 7-day retention window, by up to a year.
                DefectField.TooOld => now - TimeSpan.FromDays(8 + _rng.NextDouble() * 357),
                // Clients stamp the event a few milliseconds to a few seconds before it reaches the broker.
                _ => now - TimeSpan.FromMilliseconds(5 + 3_000 * Math.Pow(_rng.NextDouble(), 2)),
            };
            WriteTimestamp(session.TimestampForm, at);
        }

        // payment_method (optional)
        if (session.Payment is { } payment)
        {
            w.WriteString(camel ? Names.PaymentMethodCamel : Names.PaymentMethod, payment);
        }

        // geolocation (optional)
        WriteGeolocation(ref session);

        // A few fields the pipeline ignores, as real payloads carry them.
        var extras = _rng.NextDouble();
        if (extras < 0.3)
        {
            w.WriteNumber(Names.Quantity, 1 + _rng.Next(3));
        }

        if (extras < 0.15)
        {
            w.WriteString(Names.Channel, Garbage.Channels[_rng.Next(Garbage.Channels.Length)]);
        }

        switch (defect.Field)
        {
            case DefectField.Items:
                w.WritePropertyName(Names.Items);
                w.WriteRawValue(Garbage.HugeItems, skipInputValidation: true);
                break;
            case DefectField.Note:
                w.WritePropertyName(Names.CustomerNote);
                w.WriteRawValue(Garbage.Latin1Notes[defect.Variant], skipInputValidation: true);
                break;
            case DefectField.OpenEnd:
                w.Flush();
                return;
        }

        w.WriteEndObject();
        w.Flush();
    }

    private void WriteMissing(JsonEncodedText name, int how)
    {
        switch (how)
        {
            case 0:
                return; // absent
            case 1:
                _writer.WriteNull(name);
                return;
            case 2:
                _writer.WriteString(name, ""u8);
                return;
            default:
                _writer.WriteString(name, "   "u8);
                return;
        }
    }

    private void WriteBadId(JsonEncodedText name, int kind, long sequence)
    {
        switch (kind)
        {
            case 0:
                _writer.WriteBoolean(name, true);
                break;
            case 1:
                _writer.WriteNumber(name, sequence + 0.5);
                break;
            case 2:
                _writer.WritePropertyName(name);
                _writer.WriteStartArray();
                _writer.WriteNumberValue(sequence);
                _writer.WriteEndArray();
                break;
            case 3:
                _writer.WritePropertyName(name);
                _writer.WriteStartObject();
                _writer.WriteNumber("id"u8, sequence);
                _writer.WriteEndObject();
                break;
            case 4:
            {
                // Longer than 128 characters.
                Span<byte> text = stackalloc byte[160];
                var length = FormatTransactionId(sequence, text);
                text[length..].Fill((byte)'x');
                _writer.WriteString(name, text);
                break;
            }

            default:
            {
                // A control character inside an otherwise ordinary id.
                Span<byte> text = stackalloc byte[40];
                var length = FormatTransactionId(sequence, text);
                text[length] = 0x07;
                text[length + 1] = (byte)'z';
                _writer.WriteString(name, text[..(length + 2)]);
                break;
            }
        }
    }

    private void WriteBadPrice(int kind)
    {
        var w = _writer;
        switch (kind)
        {
            case 0: w.WriteString(Names.Price, "abc"u8); break;
            case 1: w.WriteString(Names.Price, "12.3.4"u8); break;
            case 2: w.WriteNumber(Names.Price, -12.5m); break;
            case 3: w.WriteString(Names.Price, "-5.00"u8); break;
            case 4: w.WriteNumber(Names.Price, 1_000_000.01m); break;
            case 5: w.WriteString(Names.Price, "$2,500,000.00"u8); break;
            case 6: w.WriteString(Names.Price, "NaN"u8); break;
            case 7: w.WriteString(Names.Price, "Infinity"u8); break;
            case 8:
                w.WritePropertyName(Names.Price);
                w.WriteRawValue("1e400"u8, skipInputValidation: true);
                break;
            case 9:
                // The currency inside the price contradicts the currency field.
                w.WriteString(Names.Price, "EUR 15.00"u8);
                w.WriteString(Names.Currency, "USD"u8);
                break;
            default:
                w.WriteString(Names.Price, "£12.50"u8);
                w.WriteString(Names.Currency, "EUR"u8);
                break;
        }
    }

    private void WriteTransactionId(JsonEncodedText name, long sequence)
    {
        var form = _rng.NextDouble();
        if (form < 0.03)
        {
            // Some legacy clients send numeric ids; the seed keeps them apart between runs.
            _writer.WriteNumber(name, unchecked((long)((ulong)_seed * 1_000_000_000UL)) + sequence);
            return;
        }

        Span<byte> text = stackalloc byte[48];
        if (form < 0.04)
        {
            // Padding that the processor trims.
            text[0] = (byte)' ';
            var length = 1 + FormatTransactionId(sequence, text[1..]);
            text[length] = (byte)' ';
            _writer.WriteString(name, text[..(length + 1)]);
            return;
        }

        _writer.WriteString(name, text[..FormatTransactionId(sequence, text)]);
    }

    private int FormatTransactionId(long sequence, Span<byte> destination)
    {
        "tx-"u8.CopyTo(destination);
        var length = 3;
        _seed.TryFormat(destination[length..], out var written, default, CultureInfo.InvariantCulture);
        length += written;
        destination[length++] = (byte)'-';
        sequence.TryFormat(destination[length..], out written, default, CultureInfo.InvariantCulture);
        return length + written;
    }

    private void WriteUserId(JsonEncodedText name, int user)
    {
        if (IsNumericUser(user))
        {
            if (_rng.NextDouble() < 0.7)
            {
                _writer.WriteNumber(name, NumericUserId(user));
            }
            else
            {
                // The same id as a numeric string: stored identically.
                Span<byte> text = stackalloc byte[16];
                _writer.WriteString(name, text[..FormatUserId(user, text)]);
            }

            return;
        }

        Span<byte> id = stackalloc byte[16];
        _writer.WriteString(name, id[..FormatUserId(user, id)]);
    }

    private void WriteProductId(JsonEncodedText name, int product)
    {
        // Every eighth product comes from a legacy catalogue with numeric SKUs.
        if (product % 8 == 0)
        {
            if (_rng.NextDouble() < 0.8)
            {
                _writer.WriteNumber(name, 100_000 + product);
            }
            else
            {
                Span<byte> digits = stackalloc byte[12];
                (100_000 + product).TryFormat(digits, out var n, default, CultureInfo.InvariantCulture);
                _writer.WriteString(name, digits[..n]);
            }

            return;
        }

        Span<byte> text = stackalloc byte[16];
        "SKU-"u8.CopyTo(text);
        product.TryFormat(text[4..], out var written, "D5", CultureInfo.InvariantCulture);
        _writer.WriteString(name, text[..(4 + written)]);
    }

    private static bool IsNumericUser(int user) => user % 10 == 0;

    private static long NumericUserId(int user) => 1_000_000 + user;

    /// <summary>The user id as stored (and as the record key): <c>u004217</c>, or digits for a legacy numeric user.</summary>
    private static int FormatUserId(int user, Span<byte> destination)
    {
        if (IsNumericUser(user))
        {
            NumericUserId(user).TryFormat(destination, out var n, default, CultureInfo.InvariantCulture);
            return n;
        }

        destination[0] = (byte)'u';
        user.TryFormat(destination[1..], out var written, "D6", CultureInfo.InvariantCulture);
        return 1 + written;
    }

    private void WritePrice(ref Session session, int product)
    {
        var currency = Currencies.All[session.Currency];
        var cents = currency.Convert(_productCents[product]);
        if (_rng.NextDouble() < 0.15)
        {
            // A discount of 10–30 %.
            cents = currency.Round(cents * (70 + _rng.Next(21)) / 100);
        }

        var amount = Cents(cents);
        var form = session.PriceForm == PriceForm.Symbol && currency.SymbolUtf8 is null ? PriceForm.CodeBefore : session.PriceForm;
        var w = _writer;
        Span<byte> text = stackalloc byte[48];
        switch (form)
        {
            case PriceForm.Number:
                if (_rng.NextDouble() < 0.06)
                {
                    w.WriteNumber(Names.Price, (long)decimal.Round(amount, MidpointRounding.AwayFromZero));
                }
                else
                {
                    w.WriteNumber(Names.Price, amount);
                }

                break;

            case PriceForm.NumericString:
            {
                amount.TryFormat(text, out var n, "0.00", CultureInfo.InvariantCulture);
                w.WriteString(Names.Price, text[..n]);
                break;
            }

            case PriceForm.Symbol:
            {
                // "$1,299.99", "€15.00", "£12.50", "¥1,500"
                var symbol = currency.SymbolUtf8!;
                symbol.CopyTo(text);
                amount.TryFormat(text[symbol.Length..], out var n, currency.Whole ? "N0" : "N2", CultureInfo.InvariantCulture);
                w.WriteString(Names.Price, text[..(symbol.Length + n)]);
                break;
            }

            case PriceForm.CodeAfter:
            {
                // "1299.99 USD"
                amount.TryFormat(text, out var n, currency.Whole ? "0" : "0.00", CultureInfo.InvariantCulture);
                text[n++] = (byte)' ';
                currency.CodeUtf8.CopyTo(text[n..]);
                w.WriteString(Names.Price, text[..(n + 3)]);
                break;
            }

            default:
            {
                // "EUR 15", "EUR 15.50"
                currency.CodeUtf8.CopyTo(text);
                text[3] = (byte)' ';
                var whole = cents % 100 == 0 || currency.Whole;
                amount.TryFormat(text[4..], out var n, whole ? "0" : "0.00", CultureInfo.InvariantCulture);
                w.WriteString(Names.Price, text[..(4 + n)]);
                break;
            }
        }

        // An optional currency field, consistent with the price; '¥' is ambiguous (JPY or CNY), so never paired.
        var ambiguousSymbol = form == PriceForm.Symbol && currency.Code == "JPY";
        var withCurrency = form switch
        {
            PriceForm.Number or PriceForm.NumericString => !currency.IsDefault || _rng.NextDouble() < 0.3,
            _ => !ambiguousSymbol && _rng.NextDouble() < 0.4,
        };
        if (withCurrency)
        {
            w.WriteString(Names.Currency, _rng.NextDouble() < 0.1 ? currency.CodeLower : currency.Code);
        }
    }

    private void WriteTimestamp(TimestampForm form, DateTimeOffset at)
    {
        var w = _writer;
        Span<byte> text = stackalloc byte[40];
        int n;
        var utc = at.UtcDateTime;
        switch (form)
        {
            case TimestampForm.IsoZulu:
                utc.TryFormat(text, out n, Precision(), CultureInfo.InvariantCulture);
                text[n++] = (byte)'Z';
                w.WriteString(Names.Timestamp, text[..n]);
                break;
            case TimestampForm.IsoOffset:
            {
                var offset = Offsets[_rng.Next(Offsets.Length)];
                at.ToOffset(offset).TryFormat(text, out n, "yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);
                w.WriteString(Names.Timestamp, text[..n]);
                break;
            }

            case TimestampForm.IsoNoOffset:
                utc.TryFormat(text, out n, Precision(), CultureInfo.InvariantCulture);
                w.WriteString(Names.Timestamp, text[..n]);
                break;
            case TimestampForm.SpaceSeparated:
                utc.TryFormat(text, out n, _rng.NextDouble() < 0.7 ? "yyyy-MM-dd HH:mm:ss.fff" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                w.WriteString(Names.Timestamp, text[..n]);
                break;
            case TimestampForm.EpochSeconds:
                w.WriteNumber(Names.Timestamp, at.ToUnixTimeSeconds());
                break;
            case TimestampForm.EpochMilliseconds:
                w.WriteNumber(Names.Timestamp, at.ToUnixTimeMilliseconds());
                break;
            default:
            {
                var epoch = _rng.NextDouble() < 0.5 ? at.ToUnixTimeSeconds() : at.ToUnixTimeMilliseconds();
                epoch.TryFormat(text, out n, default, CultureInfo.InvariantCulture);
                w.WriteString(Names.Timestamp, text[..n]);
                break;
            }
        }
    }

    private string Precision() => _rng.NextDouble() switch
    {
        < 0.75 => "yyyy-MM-dd'T'HH:mm:ss.fff",
        < 0.9 => "yyyy-MM-dd'T'HH:mm:ss.ffffff",
        _ => "yyyy-MM-dd'T'HH:mm:ss",
    };

    private static readonly TimeSpan[] Offsets =
    [
        TimeSpan.FromHours(-8), TimeSpan.FromHours(-5), TimeSpan.FromHours(-3), TimeSpan.Zero, TimeSpan.FromHours(1),
        TimeSpan.FromHours(2), new(5, 30, 0), TimeSpan.FromHours(8), TimeSpan.FromHours(9), TimeSpan.FromHours(10),
    ];

    private void WriteGeolocation(ref Session session)
    {
        var city = Cities.All[session.City];
        var places = PlaceTexts.ForCity[session.City];
        var w = _writer;
        switch (session.GeoForm)
        {
            case GeoForm.Missing:
                return;
            case GeoForm.PairText:
            case GeoForm.PairTextSpaced:
            {
                // A phone's GPS fix: a few hundred metres around the centre.
                var lat = city.Latitude + (_rng.NextDouble() - 0.5) * 0.02;
                var lon = city.Longitude + (_rng.NextDouble() - 0.5) * 0.02;
                Span<byte> text = stackalloc byte[48];
                lat.TryFormat(text, out var n, "F5", CultureInfo.InvariantCulture);
                text[n++] = (byte)',';
                if (session.GeoForm == GeoForm.PairTextSpaced)
                {
                    text[n++] = (byte)' ';
                }

                lon.TryFormat(text[n..], out var m, "F5", CultureInfo.InvariantCulture);
                w.WriteString(Names.Geolocation, text[..(n + m)]);
                return;
            }

            case GeoForm.ObjectLon:
            case GeoForm.ObjectLng:
                w.WritePropertyName(Names.Geolocation);
                w.WriteStartObject();
                w.WriteNumber(Names.Lat, Math.Round(city.Latitude + (_rng.NextDouble() - 0.5) * 0.02, 5));
                w.WriteNumber(session.GeoForm == GeoForm.ObjectLon ? Names.Lon : Names.Lng, Math.Round(city.Longitude + (_rng.NextDouble() - 0.5) * 0.02, 5));
                w.WriteEndObject();
                return;
            case GeoForm.CityAlpha2:
                w.WriteString(Names.Geolocation, places.CityAlpha2);
                return;
            case GeoForm.CityAlpha3:
                w.WriteString(Names.Geolocation, places.CityAlpha3);
                return;
            case GeoForm.CityName:
                w.WriteString(Names.Geolocation, places.CityName);
                return;
            case GeoForm.CityRegionCountry:
                w.WriteString(Names.Geolocation, places.CityRegionCountry);
                return;
            case GeoForm.BareCode:
                w.WriteString(Names.Geolocation, _rng.NextDouble() < 0.7 ? places.Alpha2 : places.Alpha3);
                return;
            default:
                w.WriteString(Names.Geolocation, places.CountryName);
                return;
        }
    }

    // ---- sessions, products, randomness -------------------------------------------------------------------

    private enum PriceForm : byte { Number, NumericString, Symbol, CodeAfter, CodeBefore }

    private enum TimestampForm : byte { IsoZulu, IsoOffset, IsoNoOffset, SpaceSeparated, EpochSeconds, EpochMilliseconds, NumericString }

    private enum GeoForm : byte
    {
        Missing, PairText, PairTextSpaced, ObjectLon, ObjectLng, CityAlpha2, CityAlpha3, CityName, CityRegionCountry, BareCode, BareName,
    }

    /// <summary>A user's short burst of purchases from one device: the client's formats stay the same within it.</summary>
    private struct Session
    {
        public int Remaining;
        public int User;
        public int City;
        public int Currency;
        public bool CamelCase;
        public string? Payment;
        public PriceForm PriceForm;
        public TimestampForm TimestampForm;
        public GeoForm GeoForm;
    }

    private static readonly double[] SessionLengthCdf = Cumulative([40, 25, 17, 10, 8]);
    private static readonly double[] PriceFormCdf = Cumulative([74, 6, 9, 6, 5]);
    private static readonly double[] TimestampFormCdf = Cumulative([48, 14, 8, 9, 7, 9, 5]);
    private static readonly double[] GeoFormCdf = Cumulative([12, 18, 7, 12, 8, 9, 5, 11, 9, 5, 4]);

    private static readonly (string? Raw, double Weight)[] Payments =
    [
        ("credit_card", 29), ("Credit Card", 5), ("visa", 5), ("mastercard", 3), ("amex", 1), ("CREDIT_CARD", 2),
        ("debit_card", 12), ("debit", 2), ("Debit Card", 1),
        ("paypal", 11), ("PayPal", 4),
        ("apple_pay", 6), ("Apple Pay", 2),
        ("google_pay", 4), ("gpay", 1), ("Google Pay", 1),
        ("bank_transfer", 3), ("sepa", 0.5), ("wire", 0.5),
        ("gift_card", 2.5), ("Gift-Card", 0.5),
        ("cash_on_delivery", 1.2), ("COD", 0.8),
        ("crypto", 0.5), ("btc", 0.3), ("bitcoin", 0.2),
        // Unrecognised by the pipeline: stored as "other".
        ("klarna", 0.8), ("afterpay", 0.4), ("store credit", 0.3),
        // Missing: stored as "unknown".
        (null, 2.5),
    ];

    // Declared after Payments: static initialisers run in text order.
    private static readonly double[] PaymentCdf = Cumulative(Payments.Select(p => p.Weight));

    private ref Session NextSession()
    {
        ref var session = ref _sessions[_rng.Next(ConcurrentSessions)];
        if (session.Remaining == 0)
        {
            // Mildly skewed towards the low user indices: some customers shop far more often.
            var user = (int)(UserCount * Math.Pow(_rng.NextDouble(), 1.6));
            var city = _userCity[user];
            session = new Session
            {
                Remaining = 1 + Pick(SessionLengthCdf),
                User = user,
                City = city,
                Currency = Currencies.For(Cities.All[city].CountryAlpha2, _rng.NextDouble()),
                CamelCase = _rng.NextDouble() < 0.12,
                Payment = Payments[Pick(PaymentCdf)].Raw,
                PriceForm = (PriceForm)Pick(PriceFormCdf),
                TimestampForm = (TimestampForm)Pick(TimestampFormCdf),
                GeoForm = (GeoForm)Pick(GeoFormCdf),
            };
        }

        session.Remaining--;
        return ref session;
    }

    private int NextProduct()
    {
        var rank = Array.BinarySearch(_productCdf, _rng.NextDouble());
        rank = rank < 0 ? ~rank : rank;
        return _productByRank[Math.Min(rank, ProductCount - 1)];
    }

    private int Pick(double[] cdf)
    {
        var r = _rng.NextDouble();
        for (var i = 0; i < cdf.Length - 1; i++)
        {
            if (r < cdf[i])
            {
                return i;
            }
        }

        return cdf.Length - 1;
    }

    private static double[] Cumulative(IEnumerable<double> weights)
    {
        var array = weights.ToArray();
        var total = array.Sum();
        var running = 0.0;
        for (var i = 0; i < array.Length; i++)
        {
            running += array[i];
            array[i] = running / total;
        }

        return array;
    }

    private double NextGaussian()
    {
        // Box–Muller; 1 - U avoids log(0).
        var u1 = 1.0 - _rng.NextDouble();
        var u2 = _rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Minor units as a decimal with two places, so JSON numbers read like prices (<c>15.00</c>).</summary>
    private static decimal Cents(long cents) => new((int)(uint)cents, (int)(cents >> 32), 0, false, 2);

    private void WriteAsciiNumber(long value)
    {
        var span = _buffer.GetSpan(20);
        value.TryFormat(span, out var n, default, CultureInfo.InvariantCulture);
        _buffer.Advance(n);
    }

    // ---- fixed text -----------------------------------------------------------------------------------------

    private static class Names
    {
        public static readonly JsonEncodedText TransactionId = JsonEncodedText.Encode("transaction_id");
        public static readonly JsonEncodedText TransactionIdCamel = JsonEncodedText.Encode("transactionId");
        public static readonly JsonEncodedText UserId = JsonEncodedText.Encode("user_id");
        public static readonly JsonEncodedText UserIdCamel = JsonEncodedText.Encode("userId");
        public static readonly JsonEncodedText ProductId = JsonEncodedText.Encode("product_id");
        public static readonly JsonEncodedText ProductIdCamel = JsonEncodedText.Encode("productId");
        public static readonly JsonEncodedText Price = JsonEncodedText.Encode("price");
        public static readonly JsonEncodedText Currency = JsonEncodedText.Encode("currency");
        public static readonly JsonEncodedText Timestamp = JsonEncodedText.Encode("timestamp");
        public static readonly JsonEncodedText PaymentMethod = JsonEncodedText.Encode("payment_method");
        public static readonly JsonEncodedText PaymentMethodCamel = JsonEncodedText.Encode("paymentMethod");
        public static readonly JsonEncodedText Geolocation = JsonEncodedText.Encode("geolocation");
        public static readonly JsonEncodedText Lat = JsonEncodedText.Encode("lat");
        public static readonly JsonEncodedText Lon = JsonEncodedText.Encode("lon");
        public static readonly JsonEncodedText Lng = JsonEncodedText.Encode("lng");
        public static readonly JsonEncodedText Quantity = JsonEncodedText.Encode("quantity");
        public static readonly JsonEncodedText Channel = JsonEncodedText.Encode("channel");
        public static readonly JsonEncodedText Items = JsonEncodedText.Encode("items");
        public static readonly JsonEncodedText CustomerNote = JsonEncodedText.Encode("customer_note");
    }

    private static class Garbage
    {
        /// <summary>Kinds of a wrong id: boolean, fraction, array, object, too long, control character.</summary>
        public const int BadIdKinds = 6;

        public const int BadPriceKinds = 11;

        public static readonly string[] BadCurrencies = ["US", "DOLLARS", "U$D", "12"];

        public static readonly string[] BadTimestamps =
        [
            "yesterday", "not a timestamp", "2025-02-30T10:00:00Z", "2025-13-01 10:00:00", "25/12/2025 10:00", "12abc",
        ];

        public static readonly string[] Channels = ["web", "ios", "android"];

        /// <summary>Text from a Latin-1 or broken client: each is a JSON string whose bytes are not valid UTF-8.</summary>
        public static readonly byte[][] Latin1Notes =
        [
            [.. "\"Caf"u8, 0xE9, .. " au lait\""u8],
            [.. "\"S"u8, 0xE3, .. "o Paulo\""u8],
            [.. "\"gift "u8, 0x80, 0x80, .. "\""u8],
            [.. "\"overlong "u8, 0xC0, 0xAF, .. "\""u8],
            [.. "\""u8, 0xFF, 0xFE, .. "wrap\""u8],
            [.. "\"surrogate "u8, 0xED, 0xA0, 0x80, .. "\""u8],
        ];

        /// <summary>A line-item list a little over 64 KiB on its own.</summary>
        public static readonly byte[] HugeItems = BuildHugeItems();

        private static byte[] BuildHugeItems()
        {
            var text = new StringBuilder(MaxValueBytes + 512);
            text.Append('[');
            for (var i = 0; text.Length <= MaxValueBytes + 256; i++)
            {
                if (i > 0)
                {
                    text.Append(',');
                }

                text.Append(CultureInfo.InvariantCulture, $"{{\"sku\":\"SKU-{i % 50:D5}\",\"qty\":1,\"note\":\"gift wrap\"}}");
            }

            text.Append(']');
            return Encoding.UTF8.GetBytes(text.ToString());
        }
    }

    // Symbol: one the contract accepts inside a price, if any. Whole: priced in whole units (yen).
    private sealed record CurrencyInfo(string Code, string? Symbol, double PerUsd, bool Whole)
    {
        public byte[] CodeUtf8 { get; } = Encoding.UTF8.GetBytes(Code);
        public byte[]? SymbolUtf8 { get; } = Symbol is null ? null : Encoding.UTF8.GetBytes(Symbol);
        public string CodeLower { get; } = Code.ToLowerInvariant();
        public bool IsDefault => Code == "USD";

        /// <summary>Converts US cents to this currency, in hundredths.</summary>
        public long Convert(long usdCents) => Round((long)(usdCents * PerUsd));

        /// <summary>Shop-style prices: x.49 / x.99, or whole tens of yen.</summary>
        public long Round(long hundredths) => Whole
            ? Math.Max(1_000, hundredths / 1_000 * 1_000)
            : Math.Max(49, hundredths / 100 * 100 + (hundredths % 100 < 50 ? 49 : 99));
    }

    private static class Currencies
    {
        public static readonly CurrencyInfo[] All =
        [
            new("USD", "$", 1.0, false),
            new("EUR", "€", 0.92, false),
            new("GBP", "£", 0.79, false),
            new("JPY", "¥", 150, true),
            new("CAD", null, 1.36, false),
            new("AUD", null, 1.52, false),
        ];

        private static readonly HashSet<string> Euro = ["FR", "DE", "ES", "IT", "NL", "IE", "AT", "PT"];

        /// <summary>Most shops abroad still charge in US dollars; some charge locally.</summary>
        public static int For(string country, double roll)
        {
            if (roll < 0.55)
            {
                return 0;
            }

            return country switch
            {
                "GB" => 2,
                "JP" => 3,
                "CA" => 4,
                "AU" => 5,
                _ when Euro.Contains(country) => 1,
                _ => 0,
            };
        }
    }

    /// <summary>The place-text forms of each city, encoded once.</summary>
    private sealed record PlaceTexts(
        byte[] CityAlpha2, byte[] CityAlpha3, byte[] CityName, byte[] CityRegionCountry, byte[] Alpha2, byte[] Alpha3, byte[] CountryName)
    {
        public static readonly PlaceTexts[] ForCity = Cities.All.Select(c => new PlaceTexts(
            Encoding.UTF8.GetBytes($"{c.Name}, {c.CountryAlpha2}"),
            Encoding.UTF8.GetBytes($"{c.Name}, {c.CountryAlpha3}"),
            Encoding.UTF8.GetBytes($"{c.Name}, {c.CountryName}"),
            Encoding.UTF8.GetBytes($"{c.Name}, {c.Region}, {c.CountryName}"),
            Encoding.UTF8.GetBytes(c.CountryAlpha2),
            Encoding.UTF8.GetBytes(c.CountryAlpha3),
            Encoding.UTF8.GetBytes(c.CountryName))).ToArray();
    }
}
