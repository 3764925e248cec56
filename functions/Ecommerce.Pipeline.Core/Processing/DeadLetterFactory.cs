using System.Text;
using System.Text.Unicode;
using Ecommerce.Pipeline.Core.Model;

namespace Ecommerce.Pipeline.Core.Processing;

/// <summary>Builds dead-letter records from the original bytes (docs/contract.md, "Dead-letter record").</summary>
public static class DeadLetterFactory
{
    public static DeadLetter Create(in RawRecord record, DeadLetterReason reason, string? detail, string? transactionId,
        DateTime failedAt)
    {
        var (payload, encoding) = RenderPayload(record.Value.Span);
        return new DeadLetter
        {
            Reason = reason,
            Detail = detail,
            TransactionId = transactionId,
            Payload = payload,
            PayloadEncoding = encoding,
            KafkaTopic = record.Topic,
            KafkaPartition = record.Partition,
            KafkaOffset = record.Offset,
            FailedAt = failedAt,
        };
    }

    public static DeadLetter RejectedBySink(in RawRecord record, string message, string? transactionId, DateTime failedAt) =>
        Create(record, DeadLetterReason.RejectedBySink, message, transactionId, failedAt);

    /// <summary>The payload as UTF-8 text, or base64 when it is not valid UTF-8; either way at most 16 KiB.</summary>
    public static (string Payload, string Encoding) RenderPayload(ReadOnlySpan<byte> value)
    {
        if (Utf8.IsValid(value))
        {
            if (value.Length > DeadLetter.MaxPayloadBytes)
            {
                // Cut on a character boundary: step back over UTF-8 continuation bytes (10xxxxxx).
                var cut = DeadLetter.MaxPayloadBytes;
                while (cut > 0 && (value[cut] & 0xC0) == 0x80)
                {
                    cut--;
                }

                value = value[..cut];
            }

            return (Encoding.UTF8.GetString(value), DeadLetter.EncodingUtf8);
        }

        // 12 KiB of bytes is exactly 16 KiB of base64.
        var maxRaw = DeadLetter.MaxPayloadBytes / 4 * 3;
        return (Convert.ToBase64String(value.Length > maxRaw ? value[..maxRaw] : value), DeadLetter.EncodingBase64);
    }
}
