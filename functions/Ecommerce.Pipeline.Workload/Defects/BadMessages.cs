using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Workload.Json;
using Ecommerce.Pipeline.Workload.Shop;

namespace Ecommerce.Pipeline.Workload.Defects;

/// <summary>
/// Breaks a message in exactly one way for a dead-letter reason, so the processor must give it that reason and no
/// other (docs/contract.md, Reason codes). Each reason has several variants, drawn at random.
/// </summary>
internal sealed class BadMessages(Random rng, MessageBuffer buffer, TransactionWriter transactions)
{
    /// <summary>The reasons a message can earn by itself, in check order (<c>rejected_by_sink</c> is the sink's, <c>internal_error</c> a defect's).</summary>
    public static IReadOnlyList<DeadLetterReason> Reasons { get; } =
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

    /// <summary>Writes a message that earns <paramref name="reason"/> into the (cleared) buffer.</summary>
    public ReadOnlyMemory<byte> Write(DeadLetterReason reason, in Session session, DateTimeOffset now, long sequence) => reason switch
    {
        // A cart export gone wrong: a valid transaction dragging an enormous line-item list. The list repeats,
        // so lz4 shrinks it on the wire and it barely dents the embedded broker's byte budget.
        DeadLetterReason.MessageTooLarge => Transaction(session, now, sequence, new Defect(DefectField.Items, 0)),
        DeadLetterReason.InvalidEncoding => Transaction(session, now, sequence, new Defect(DefectField.Note, rng.Next(Garbage.Latin1Notes.Length))),
        DeadLetterReason.MalformedJson => Malformed(session, now, sequence),
        DeadLetterReason.NotAnObject => NotAnObject(session, now, sequence),
        _ => Transaction(session, now, sequence, FieldDefect(reason)),
    };

    private ReadOnlyMemory<byte> Transaction(in Session session, DateTimeOffset now, long sequence, Defect defect)
    {
        transactions.Write(session, now, sequence, defect);
        return buffer.Written;
    }

    private Defect FieldDefect(DeadLetterReason reason) => reason switch
    {
        DeadLetterReason.MissingField => new Defect(DefectField.Missing, rng.Next(5 * 4)),
        DeadLetterReason.InvalidField => new Defect(DefectField.Invalid, rng.Next(3 * Garbage.BadIdKinds + Garbage.BadCurrencies.Length)),
        DeadLetterReason.InvalidPrice => new Defect(DefectField.Price, rng.Next(Garbage.BadPriceKinds)),
        DeadLetterReason.InvalidTimestamp => new Defect(DefectField.Timestamp, rng.Next(Garbage.BadTimestamps.Length)),
        DeadLetterReason.TimestampInFuture => new Defect(DefectField.Future, 0),
        DeadLetterReason.TimestampTooOld => new Defect(DefectField.TooOld, 0),
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "Not an injectable field defect."),
    };

    private ReadOnlyMemory<byte> Malformed(in Session session, DateTimeOffset now, long sequence)
    {
        switch (rng.Next(6))
        {
            case 0:
            {
                // Truncated in flight; cut on a character boundary so the text stays valid UTF-8.
                transactions.Write(session, now, sequence, default);
                var written = buffer.Written;
                var cut = 1 + rng.Next(written.Length - 2);
                while (cut > 1 && (written.Span[cut] & 0xC0) == 0x80)
                {
                    cut--;
                }

                return written[..cut];
            }

            case 1:
                // A trailing comma before the closing brace.
                transactions.Write(session, now, sequence, new Defect(DefectField.OpenEnd, 0));
                buffer.WriteRaw(",}"u8);
                return buffer.Written;

            case 2:
                // Two objects glued together (a lost newline in a batch export).
                transactions.Write(session, now, sequence, default);
                buffer.WriteRaw("{\"transaction_id\":\"tx-"u8);
                buffer.WriteAsciiNumber(sequence);
                buffer.WriteRaw("-b\"}"u8);
                return buffer.Written;

            case 3:
                // NaN is not JSON.
                transactions.Write(session, now, sequence, new Defect(DefectField.OpenEnd, 0));
                buffer.WriteRaw(",\"discount\":NaN}"u8);
                return buffer.Written;

            case 4:
                buffer.WriteRaw("{'transaction_id': 'tx-"u8);
                buffer.WriteAsciiNumber(sequence);
                buffer.WriteRaw("', 'user_id': 'u1', 'price': 12.5}"u8);
                return buffer.Written;

            default:
                buffer.WriteRaw("transaction_id=tx-"u8);
                buffer.WriteAsciiNumber(sequence);
                buffer.WriteRaw("&user_id=u000001&price=12.50&timestamp=now"u8);
                return buffer.Written;
        }
    }

    private ReadOnlyMemory<byte> NotAnObject(in Session session, DateTimeOffset now, long sequence)
    {
        switch (rng.Next(5))
        {
            case 0:
                // A batch sent as one message.
                buffer.WriteRaw("["u8);
                transactions.Write(session, now, sequence, default);
                buffer.WriteRaw("]"u8);
                break;
            case 1:
                buffer.WriteRaw("\"tx-"u8);
                buffer.WriteAsciiNumber(sequence);
                buffer.WriteRaw("\""u8);
                break;
            case 2:
                buffer.WriteAsciiNumber(sequence);
                break;
            case 3:
                buffer.WriteRaw("null"u8);
                break;
            default:
                buffer.WriteRaw("[]"u8);
                break;
        }

        return buffer.Written;
    }
}
