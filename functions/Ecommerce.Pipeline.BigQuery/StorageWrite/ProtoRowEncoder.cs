using System.Globalization;
using Ecommerce.Pipeline.BigQuery.StorageWrite.Protocol;
using Ecommerce.Pipeline.Core.Schema;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using ProtoFieldLabel = Google.Protobuf.Reflection.FieldDescriptorProto.Types.Label;
using ProtoFieldType = Google.Protobuf.Reflection.FieldDescriptorProto.Types.Type;

namespace Ecommerce.Pipeline.BigQuery.StorageWrite;

/// <summary>
/// Encodes rows of a Core schema as the Storage Write API's row messages: one flat proto2 message per row, a field per
/// column in schema order (numbers 1..N, named as the columns), written straight with <see cref="CodedOutputStream"/>.
/// </summary>
/// <remarks>
/// <para>Types, as "Supported protocol buffer and Arrow data types"
/// (https://cloud.google.com/bigquery/docs/supported-data-types) lists them: STRING as <c>string</c>; NUMERIC as
/// <c>string</c> (the invariant decimal text, exact; a double would round); TIMESTAMP as <c>int64</c> microseconds since
/// the Unix epoch ("preferred"); DATE as <c>int32</c> days since the epoch ("preferred"); FLOAT64 as <c>double</c>;
/// INT64 as <c>int64</c>. A null is an absent field.</para>
/// <para>Every field is <c>optional</c>, required columns too: Google's Java client maps REQUIRED to
/// <c>LABEL_REQUIRED</c> (java-bigquerystorage BQTableSchemaToProtoDescriptor), but then a row missing a required value
/// cannot even be serialised, and the whole batch would fail again on every retry. Optional, the table's own REQUIRED
/// mode refuses that one row with a row error, and the row becomes a <c>rejected_by_sink</c> dead letter.</para>
/// <para>Each column's typed accessor (<see cref="Column{TRow}.Accessor"/>) is bound once, as the DuckDB appender does,
/// so values are not boxed per row. A row is measured first, then written into an array of exactly that size.</para>
/// </remarks>
public sealed class ProtoRowEncoder<TRow>
{
    private readonly FieldCodec[] _fields;

    public ProtoRowEncoder(TableSchema<TRow> schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        _fields = [.. schema.Columns.Select((c, i) => Bind(c, i + 1))];
        var descriptor = new DescriptorProto { Name = MessageName(schema.Name) };
        for (var i = 0; i < schema.Columns.Count; i++)
        {
            var column = schema.Columns[i];
            descriptor.Field.Add(new FieldDescriptorProto
            {
                Name = column.Name,
                Number = i + 1,
                Label = ProtoFieldLabel.Optional,
                Type = ProtoRowEncoders.ProtoType(column.Type),
            });
        }

        WriterSchema = new ProtoSchema { ProtoDescriptor = descriptor };
    }

    /// <summary>The <c>writer_schema</c> of the first request on a connection: the row message's descriptor.</summary>
    public ProtoSchema WriterSchema { get; }

    /// <summary>The row's message bytes (one entry of <c>ProtoRows.serialized_rows</c>).</summary>
    public ByteString Encode(TRow row)
    {
        var size = 0;
        foreach (var field in _fields)
        {
            size += field.Size(row);
        }

        var bytes = new byte[size];
        var output = new CodedOutputStream(bytes);
        foreach (var field in _fields)
        {
            field.Write(output, row);
        }

        output.CheckNoSpaceLeft();
        return UnsafeByteOperations.UnsafeWrap(bytes);
    }

    // A proto identifier: the table name with anything else replaced (table names may hold '-' in BigQuery).
    private static string MessageName(string table) =>
        new([.. table.Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_')]);

    /// <summary>How one column is measured and written.</summary>
    private sealed record FieldCodec(Func<TRow, int> Size, Action<CodedOutputStream, TRow> Write);

    private static FieldCodec Bind(Column<TRow> column, int number)
    {
        var lengthTag = WireFormat.MakeTag(number, WireFormat.WireType.LengthDelimited);
        var varintTag = WireFormat.MakeTag(number, WireFormat.WireType.Varint);
        var doubleTag = WireFormat.MakeTag(number, WireFormat.WireType.Fixed64);
        var tagSize = CodedOutputStream.ComputeTagSize(number);
        return (column.Type, column.Accessor) switch
        {
            (ColumnType.String, Func<TRow, string?> text) => new(
                r => text(r) is { } s ? tagSize + CodedOutputStream.ComputeStringSize(s) : 0,
                (o, r) => WriteString(o, lengthTag, text(r))),
            (ColumnType.Numeric, Func<TRow, decimal> amount) => new(
                r => tagSize + CodedOutputStream.ComputeStringSize(Numeric(amount(r))),
                (o, r) => WriteString(o, lengthTag, Numeric(amount(r)))),
            (ColumnType.Timestamp, Func<TRow, DateTime> instant) => new(
                r => tagSize + CodedOutputStream.ComputeInt64Size(ProtoRowEncoders.Micros(instant(r))),
                (o, r) => WriteInt64(o, varintTag, ProtoRowEncoders.Micros(instant(r)))),
            (ColumnType.Date, Func<TRow, DateOnly> day) => new(
                r => tagSize + CodedOutputStream.ComputeInt32Size(ProtoRowEncoders.Days(day(r))),
                (o, r) => WriteInt32(o, varintTag, ProtoRowEncoders.Days(day(r)))),
            (ColumnType.Float64, Func<TRow, double?> real) => new(
                r => real(r).HasValue ? tagSize + CodedOutputStream.ComputeDoubleSize(0) : 0,
                (o, r) => WriteDouble(o, doubleTag, real(r))),
            (ColumnType.Int64, Func<TRow, long> integer) => new(
                r => tagSize + CodedOutputStream.ComputeInt64Size(integer(r)),
                (o, r) => WriteInt64(o, varintTag, integer(r))),
            _ => BindBoxed(column, tagSize, lengthTag, varintTag, doubleTag),
        };
    }

    // A column declared without a typed accessor: its value as an object, converted to the column's type.
    private static FieldCodec BindBoxed(Column<TRow> column, int tagSize, uint lengthTag, uint varintTag, uint doubleTag)
    {
        var inv = CultureInfo.InvariantCulture;
        return column.Type switch
        {
            ColumnType.String => new(
                r => column.GetValue(r) is { } v ? tagSize + CodedOutputStream.ComputeStringSize(Convert.ToString(v, inv)!) : 0,
                (o, r) => WriteString(o, lengthTag, column.GetValue(r) is { } v ? Convert.ToString(v, inv) : null)),
            ColumnType.Numeric => new(
                r => column.GetValue(r) is { } v ? tagSize + CodedOutputStream.ComputeStringSize(Numeric(Convert.ToDecimal(v, inv))) : 0,
                (o, r) => WriteString(o, lengthTag, column.GetValue(r) is { } v ? Numeric(Convert.ToDecimal(v, inv)) : null)),
            ColumnType.Timestamp => new(
                r => column.GetValue(r) is { } v ? tagSize + CodedOutputStream.ComputeInt64Size(ProtoRowEncoders.Micros(Instant(v))) : 0,
                (o, r) => WriteInt64(o, varintTag, column.GetValue(r) is { } v ? ProtoRowEncoders.Micros(Instant(v)) : null)),
            ColumnType.Date => new(
                r => column.GetValue(r) is DateOnly v ? tagSize + CodedOutputStream.ComputeInt32Size(ProtoRowEncoders.Days(v)) : 0,
                (o, r) => WriteInt32(o, varintTag, column.GetValue(r) is DateOnly v ? ProtoRowEncoders.Days(v) : null)),
            ColumnType.Float64 => new(
                r => column.GetValue(r) is not null ? tagSize + CodedOutputStream.ComputeDoubleSize(0) : 0,
                (o, r) => WriteDouble(o, doubleTag, column.GetValue(r) is { } v ? Convert.ToDouble(v, inv) : null)),
            ColumnType.Int64 => new(
                r => column.GetValue(r) is { } v ? tagSize + CodedOutputStream.ComputeInt64Size(Convert.ToInt64(v, inv)) : 0,
                (o, r) => WriteInt64(o, varintTag, column.GetValue(r) is { } v ? Convert.ToInt64(v, inv) : null)),
            _ => throw new ArgumentOutOfRangeException(nameof(column), column.Type, $"No proto encoding for column '{column.Name}'."),
        };
    }

    private static string Numeric(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static DateTime Instant(object value) => value switch
    {
        DateTimeOffset offset => offset.UtcDateTime,
        DateTime dateTime => dateTime,
        _ => throw new InvalidCastException($"Expected a DateTime, got {value.GetType().Name}."),
    };

    private static void WriteString(CodedOutputStream output, uint tag, string? value)
    {
        if (value is not null)
        {
            output.WriteTag(tag);
            output.WriteString(value);
        }
    }

    private static void WriteInt64(CodedOutputStream output, uint tag, long? value)
    {
        if (value is { } v)
        {
            output.WriteTag(tag);
            output.WriteInt64(v);
        }
    }

    private static void WriteInt32(CodedOutputStream output, uint tag, int? value)
    {
        if (value is { } v)
        {
            output.WriteTag(tag);
            output.WriteInt32(v);
        }
    }

    private static void WriteDouble(CodedOutputStream output, uint tag, double? value)
    {
        if (value is { } v)
        {
            output.WriteTag(tag);
            output.WriteDouble(v);
        }
    }
}
