using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Ecommerce.Pipeline.Core.Schema;

namespace Ecommerce.Pipeline.BigQuery;

/// <summary>
/// Encodes rows of a Core schema as insertAll row objects, <c>{"insertId": …, "json": {column: value}}</c>, straight
/// to UTF-8 so requests can be measured and split without serialising twice. The encodings are the streaming API's:
/// NUMERIC and INT64 as JSON strings (no float rounding, no 2^53 limit), TIMESTAMP as RFC 3339 UTC with microseconds,
/// DATE as <c>YYYY-MM-DD</c>, FLOAT64 as a JSON number, NULL by leaving the field out.
/// </summary>
public sealed class RowEncoder<TRow>
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _threadBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? _threadWriter;

    private readonly Column<TRow>[] _columns;
    private readonly JsonEncodedText[] _names;
    private readonly Func<TRow, string> _insertId;

    public RowEncoder(TableSchema<TRow> schema, Func<TRow, string> insertId)
    {
        ArgumentNullException.ThrowIfNull(schema);
        _columns = [.. schema.Columns];
        _names = [.. _columns.Select(c => JsonEncodedText.Encode(c.Name))];
        _insertId = insertId;
    }

    private static readonly JsonEncodedText InsertIdName = JsonEncodedText.Encode("insertId");
    private static readonly JsonEncodedText JsonName = JsonEncodedText.Encode("json");

    /// <summary>One row object as UTF-8 JSON.</summary>
    public byte[] Encode(TRow row)
    {
        var buffer = _threadBuffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var writer = _threadWriter ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = false });
        writer.Reset(buffer);
        writer.WriteStartObject();
        writer.WriteString(InsertIdName, _insertId(row));
        writer.WritePropertyName(JsonName);
        writer.WriteStartObject();
        for (var i = 0; i < _columns.Length; i++)
        {
            var value = _columns[i].GetValue(row);
            if (value is null)
            {
                continue;
            }

            writer.WritePropertyName(_names[i]);
            RowEncoder.WriteValue(writer, _columns[i].Type, value);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}

public static class RowEncoder
{
    /// <summary>Writes one value in the streaming API's encoding for its column type.</summary>
    public static void WriteValue(Utf8JsonWriter writer, ColumnType type, object value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<byte> scratch = stackalloc byte[40];
        switch (type, value)
        {
            case (ColumnType.String, string s):
                writer.WriteStringValue(s);
                break;
            case (ColumnType.Numeric, decimal d):
                writer.WriteStringValue(d.ToString(CultureInfo.InvariantCulture));
                break;
            case (ColumnType.Int64, long l):
                l.TryFormat(scratch, out var n, default, CultureInfo.InvariantCulture);
                writer.WriteStringValue(scratch[..n]);
                break;
            case (ColumnType.Int64, int l):
                writer.WriteStringValue(l.ToString(CultureInfo.InvariantCulture));
                break;
            case (ColumnType.Timestamp, DateTime t):
                var utc = t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : t;
                utc.TryFormat(scratch, out var tn, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
                writer.WriteStringValue(scratch[..tn]);
                break;
            case (ColumnType.Timestamp, DateTimeOffset o):
                o.UtcDateTime.TryFormat(scratch, out var on, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
                writer.WriteStringValue(scratch[..on]);
                break;
            case (ColumnType.Date, DateOnly date):
                date.TryFormat(scratch, out var dn, "yyyy-MM-dd", CultureInfo.InvariantCulture);
                writer.WriteStringValue(scratch[..dn]);
                break;
            case (ColumnType.Float64, double f) when double.IsFinite(f):
                writer.WriteNumberValue(f);
                break;
            case (ColumnType.Float64, double f):
                // JSON has no NaN/Infinity; the streaming API takes these spellings as strings.
                writer.WriteStringValue(double.IsNaN(f) ? "NaN" : f > 0 ? "Infinity" : "-Infinity");
                break;
            default:
                throw new ArgumentException($"A {value.GetType().Name} is not a {type} value.", nameof(value));
        }
    }

    /// <summary>A key value as insertId text.</summary>
    public static string KeyText(object? value) => value switch
    {
        null => "",
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
