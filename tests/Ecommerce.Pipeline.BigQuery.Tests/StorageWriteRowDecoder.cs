using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ecommerce.Pipeline.BigQuery.StorageWrite.Protocol;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using FieldLabel = Google.Protobuf.Reflection.FieldDescriptorProto.Types.Label;
using FieldType = Google.Protobuf.Reflection.FieldDescriptorProto.Types.Type;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>A whole AppendRows request refused (the writer schema does not fit the table).</summary>
internal sealed class StorageWriteRejection(StorageError.Types.StorageErrorCode code, string message) : Exception(message)
{
    public StorageError.Types.StorageErrorCode Code { get; } = code;
}

/// <summary>One serialized row refused; the request fails with a row error at its index.</summary>
internal sealed class StorageWriteRowRejection(string message) : Exception(message);

/// <summary>
/// Decodes serialized rows against the DescriptorProto the client SENT (C# protobuf has no DynamicMessage, so tags are
/// read with CodedInputStream and mapped through the descriptor), then checks them against the table's schema and
/// renders them in insertAll's JSON encoding so stored rows look alike whichever API wrote them.
/// Type pairs and value ranges follow https://cloud.google.com/bigquery/docs/supported-data-types (the subset this
/// project sends plus BOOL/BYTES): STRING ← string; INT64 ← int32/int64; FLOAT64 ← double; BOOL ← bool/int32/int64;
/// BYTES ← bytes/string; NUMERIC ← string/int32/int64/double; DATE ← int32/int64 days (-719162..2932896) or string;
/// TIMESTAMP ← int64/int32 microseconds since the epoch. Rows follow proto2 semantics (storage.proto, ProtoData.rows:
/// "the backend expects the serialized rows to adhere to proto2 semantics"): an absent field is NULL.
/// </summary>
internal sealed partial class StorageWriteRowDecoder
{
    private readonly Dictionary<int, (FieldDescriptorProto Field, string ColumnType)> _byNumber = [];
    private readonly List<(string Name, FieldDescriptorProto? Field)> _requiredColumns = [];

    private StorageWriteRowDecoder()
    {
    }

    /// <summary>Checks the writer schema against the table's fields (the <c>schema.fields</c> of its Table JSON).</summary>
    public static StorageWriteRowDecoder Create(DescriptorProto descriptor, JsonNode? tableFields)
    {
        var columns = (tableFields as JsonArray ?? [])
            .Select(f => (Name: f!["name"]!.GetValue<string>(), Type: f["type"]!.GetValue<string>(), Mode: f["mode"]?.GetValue<string>() ?? "NULLABLE"))
            .ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
        var decoder = new StorageWriteRowDecoder();
        foreach (var field in descriptor.Field)
        {
            if (!columns.TryGetValue(field.Name, out var column))
            {
                // StorageError.SCHEMA_MISMATCH_EXTRA_FIELDS: "user schema has extra field than bigquery schema" (storage.proto).
                throw new StorageWriteRejection(StorageError.Types.StorageErrorCode.SchemaMismatchExtraFields,
                    $"Input schema has more fields than BigQuery schema, extra fields: '{field.Name}'");
            }

            if (field.Label == FieldLabel.Repeated || !Compatible(column.Type, field.Type))
            {
                throw new StorageWriteRejection(StorageError.Types.StorageErrorCode.Unspecified,
                    $"The proto field mismatched with BigQuery field at {descriptor.Name}.{field.Name}, the proto field type {field.Type} ({field.Label}), BigQuery field type {column.Type}");
            }

            if (!decoder._byNumber.TryAdd(field.Number, (field, column.Type.ToUpperInvariant())))
            {
                throw new StorageWriteRejection(StorageError.Types.StorageErrorCode.Unspecified, $"field number {field.Number} appears twice in {descriptor.Name}");
            }
        }

        foreach (var column in columns.Values.Where(c => c.Mode == "REQUIRED"))
        {
            decoder._requiredColumns.Add((column.Name, descriptor.Field.FirstOrDefault(f => string.Equals(f.Name, column.Name, StringComparison.OrdinalIgnoreCase))));
        }

        return decoder;
    }

    private static bool Compatible(string column, FieldType proto) => column.ToUpperInvariant() switch
    {
        "STRING" => proto is FieldType.String,
        "INT64" or "INTEGER" => proto is FieldType.Int64 or FieldType.Int32,
        "FLOAT64" or "FLOAT" => proto is FieldType.Double,
        "BOOL" or "BOOLEAN" => proto is FieldType.Bool or FieldType.Int32 or FieldType.Int64,
        "BYTES" => proto is FieldType.Bytes or FieldType.String,
        "NUMERIC" or "BIGNUMERIC" => proto is FieldType.String or FieldType.Int32 or FieldType.Int64 or FieldType.Double,
        "DATE" => proto is FieldType.Int32 or FieldType.Int64 or FieldType.String,
        "TIMESTAMP" => proto is FieldType.Int64 or FieldType.Int32,
        _ => false,
    };

    /// <summary>One row as insertAll's <c>json</c> object; a <see cref="StorageWriteRowRejection"/> says what is wrong.</summary>
    public JsonElement Decode(ByteString row)
    {
        var values = new Dictionary<int, object>();
        var input = new CodedInputStream(row.ToByteArray());
        try
        {
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                var number = WireFormat.GetTagFieldNumber(tag);
                var wire = WireFormat.GetTagWireType(tag);
                if (!_byNumber.TryGetValue(number, out var field))
                {
                    // Lenience here would hide an encoder that writes fields its own descriptor does not declare.
                    throw new StorageWriteRowRejection($"field number {number} is not in the writer schema");
                }

                var expected = field.Field.Type switch
                {
                    FieldType.Double => WireFormat.WireType.Fixed64,
                    FieldType.String or FieldType.Bytes => WireFormat.WireType.LengthDelimited,
                    _ => WireFormat.WireType.Varint,
                };
                if (wire != expected)
                {
                    throw new StorageWriteRowRejection($"field {field.Field.Name}: wire type {wire}, its type {field.Field.Type} needs {expected}");
                }

                // proto2: a repeated occurrence of a singular field replaces the earlier one.
                values[number] = field.Field.Type switch
                {
                    FieldType.Double => input.ReadDouble(),
                    FieldType.Int64 => input.ReadInt64(),
                    FieldType.Int32 => (long)input.ReadInt32(),
                    FieldType.Bool => input.ReadBool(),
                    FieldType.String => Strict.GetString(input.ReadBytes().Span),
                    _ => input.ReadBytes(),
                };
            }
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new StorageWriteRowRejection($"the row is not a valid message: {ex.Message}");
        }
        catch (DecoderFallbackException)
        {
            throw new StorageWriteRowRejection("a string field is not valid UTF-8");
        }

        foreach (var (field, _) in _byNumber.Values.Where(f => f.Field.Label == FieldLabel.Required && !values.ContainsKey(f.Field.Number)))
        {
            // proto2: a message without one of its required fields does not parse.
            throw new StorageWriteRowRejection($"the row lacks field {field.Name}, required in the writer schema");
        }

        foreach (var (name, field) in _requiredColumns)
        {
            if (field is null || !values.ContainsKey(field.Number))
            {
                throw new StorageWriteRowRejection($"Field {name} is REQUIRED but has no value");
            }
        }

        var json = new JsonObject();
        foreach (var (number, value) in values.OrderBy(v => v.Key))
        {
            var (field, columnType) = _byNumber[number];
            json[field.Name] = Render(field.Name, columnType, value);
        }

        return JsonSerializer.SerializeToElement(json);
    }

    private static readonly UTF8Encoding Strict = new(false, true);

    /// <summary>NUMERIC: precision 38, scale 9 (https://cloud.google.com/bigquery/docs/reference/standard-sql/data-types#decimal_types).</summary>
    [GeneratedRegex(@"^[+-]?(?<int>\d{1,29})(\.(?<frac>\d{1,9}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex NumericText();

    private const long MinTimestampMicros = -62135596800000000; // 0001-01-01T00:00:00Z
    private const long MaxTimestampMicros = 253402300799999999; // 9999-12-31T23:59:59.999999Z

    private static JsonValue Render(string name, string columnType, object value) => (columnType, value) switch
    {
        ("STRING", string s) => JsonValue.Create(s),
        ("INT64" or "INTEGER", long l) => JsonValue.Create(l.ToString(CultureInfo.InvariantCulture)),
        ("FLOAT64" or "FLOAT", double d) => double.IsFinite(d) ? JsonValue.Create(d) : JsonValue.Create(double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity"),
        ("BOOL" or "BOOLEAN", bool b) => JsonValue.Create(b),
        ("BOOL" or "BOOLEAN", long l) => JsonValue.Create(l != 0),
        ("BYTES", ByteString b) => JsonValue.Create(b.ToBase64()),
        ("BYTES", string s) => JsonValue.Create(Convert.ToBase64String(Encoding.UTF8.GetBytes(s))),
        ("NUMERIC" or "BIGNUMERIC", string s) when NumericText().IsMatch(s) => JsonValue.Create(s),
        ("NUMERIC" or "BIGNUMERIC", string s) => throw new StorageWriteRowRejection($"Field {name}: '{s}' is not a NUMERIC (at most 29 integer and 9 fractional digits)"),
        ("NUMERIC" or "BIGNUMERIC", long l) => JsonValue.Create(l.ToString(CultureInfo.InvariantCulture)),
        ("NUMERIC" or "BIGNUMERIC", double d) => JsonValue.Create(d.ToString("R", CultureInfo.InvariantCulture)),
        ("DATE", long days) when days is >= -719162 and <= 2932896 =>
            JsonValue.Create(DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + (int)days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        ("DATE", long days) => throw new StorageWriteRowRejection($"Field {name}: {days} days since the epoch is outside 0001-01-01..9999-12-31"),
        ("DATE", string s) when DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) => JsonValue.Create(s),
        ("DATE", string s) => throw new StorageWriteRowRejection($"Field {name}: '{s}' is not a DATE"),
        ("TIMESTAMP", long micros) when micros is >= MinTimestampMicros and <= MaxTimestampMicros =>
            JsonValue.Create(DateTime.UnixEpoch.AddTicks(micros * 10).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)),
        ("TIMESTAMP", long micros) => throw new StorageWriteRowRejection($"Field {name}: {micros} microseconds is outside the TIMESTAMP range"),
        _ => throw new StorageWriteRowRejection($"Field {name}: a {value.GetType().Name} is no {columnType}"),
    };
}
