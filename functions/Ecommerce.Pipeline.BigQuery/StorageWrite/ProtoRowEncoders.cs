using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Schema;
using ProtoFieldType = Google.Protobuf.Reflection.FieldDescriptorProto.Types.Type;

namespace Ecommerce.Pipeline.BigQuery.StorageWrite;

/// <summary>The row encoders of the pipeline's two tables, derived from <see cref="PipelineSchema"/>.</summary>
public static class ProtoRowEncoders
{
    private static readonly long EpochTicks = DateTime.UnixEpoch.Ticks;
    private static readonly int EpochDay = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    public static ProtoRowEncoder<TransactionRow> Transactions { get; } = new(PipelineSchema.Transactions);

    public static ProtoRowEncoder<DeadLetter> DeadLetters { get; } = new(PipelineSchema.DeadLetters);

    /// <summary>The field's proto type for a column type (the sources are in <see cref="ProtoRowEncoder{TRow}"/>'s remarks).</summary>
    public static ProtoFieldType ProtoType(ColumnType type) => type switch
    {
        ColumnType.String or ColumnType.Numeric => ProtoFieldType.String,
        ColumnType.Timestamp or ColumnType.Int64 => ProtoFieldType.Int64,
        ColumnType.Date => ProtoFieldType.Int32,
        ColumnType.Float64 => ProtoFieldType.Double,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "No proto type for this column type."),
    };

    /// <summary>Microseconds since the epoch, rounded down (a pre-1970 instant with a part-microsecond stays in its microsecond).</summary>
    public static long Micros(DateTime value)
    {
        var utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value;
        return Math.DivRem(utc.Ticks - EpochTicks, TimeSpan.TicksPerMicrosecond, out var rest) - (rest < 0 ? 1 : 0);
    }

    public static int Days(DateOnly value) => value.DayNumber - EpochDay;
}
