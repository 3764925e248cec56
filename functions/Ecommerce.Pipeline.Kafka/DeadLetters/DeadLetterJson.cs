using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ecommerce.Pipeline.Core.Model;

namespace Ecommerce.Pipeline.Kafka.DeadLetters;

/// <summary>
/// The <c>transactions_dlq</c> record value (docs/contract.md, "Dead-letter record"): a JSON object with exactly the contract's field names,
/// written with <see cref="Utf8JsonWriter"/> (no reflection, trimming-safe).
/// </summary>
public static class DeadLetterJson
{
    public const string Reason = "reason";
    public const string Detail = "detail";
    public const string TransactionId = "transaction_id";
    public const string Payload = "payload";
    public const string PayloadEncoding = "payload_encoding";
    public const string KafkaTopic = "kafka_topic";
    public const string KafkaPartition = "kafka_partition";
    public const string KafkaOffset = "kafka_offset";
    public const string FailedAt = "failed_at";

    /// <summary>RFC 3339 UTC with microseconds, e.g. <c>2026-11-25T10:00:00.123456Z</c>.</summary>
    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    // Payloads are mostly text a person reads in kcat or a table: keep non-ASCII as UTF-8 rather than \uXXXX.
    // The value is never embedded in HTML, which is the only place the relaxed escaping would matter.
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>The record value as UTF-8 JSON.</summary>
    public static byte[] ToUtf8Bytes(DeadLetter deadLetter)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + deadLetter.Payload.Length);
        Write(buffer, deadLetter);
        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(IBufferWriter<byte> output, DeadLetter deadLetter)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(deadLetter);
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        writer.WriteStartObject();
        writer.WriteString(Reason, deadLetter.ReasonCode);
        WriteNullableString(writer, Detail, deadLetter.Detail);
        WriteNullableString(writer, TransactionId, deadLetter.TransactionId);
        writer.WriteString(Payload, deadLetter.Payload);
        writer.WriteString(PayloadEncoding, deadLetter.PayloadEncoding);
        writer.WriteString(KafkaTopic, deadLetter.KafkaTopic);
        writer.WriteNumber(KafkaPartition, deadLetter.KafkaPartition);
        writer.WriteNumber(KafkaOffset, deadLetter.KafkaOffset);
        writer.WriteString(FailedAt, FormatTimestamp(deadLetter.FailedAt));
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary>
    /// <paramref name="value"/> in UTC as RFC 3339 with microseconds. An unspecified kind is taken as UTC (the
    /// pipeline only makes UTC times); a local time is converted.
    /// </summary>
    public static string FormatTimestamp(DateTime value)
    {
        var utc = value.Kind switch
        {
            DateTimeKind.Local => value.ToUniversalTime(),
            DateTimeKind.Unspecified => DateTime.SpecifyKind(value, DateTimeKind.Utc),
            _ => value,
        };
        return utc.ToString(TimestampFormat, CultureInfo.InvariantCulture);
    }

    private static void WriteNullableString(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
