namespace Ecommerce.Pipeline.Core.Model;

/// <summary>
/// A rejected message with its reason: the value of a <c>transactions_dlq</c> record and a row of the
/// <c>dead_letters</c> table. There is at most one per (topic, partition, offset).
/// </summary>
public sealed class DeadLetter
{
    /// <summary>Payloads are cut to this many bytes of UTF-8 text (or characters of base64).</summary>
    public const int MaxPayloadBytes = 16 * 1024;

    public const string EncodingUtf8 = "utf8";
    public const string EncodingBase64 = "base64";

    public required DeadLetterReason Reason { get; init; }
    public string ReasonCode => Reason.ToCode();
    public string? Detail { get; init; }
    public string? TransactionId { get; init; }

    /// <summary>The value as text, or as base64 when it is not valid UTF-8; cut to 16 KiB.</summary>
    public required string Payload { get; init; }

    /// <summary><c>utf8</c> or <c>base64</c>.</summary>
    public required string PayloadEncoding { get; init; }

    public required string KafkaTopic { get; init; }
    public required int KafkaPartition { get; init; }
    public required long KafkaOffset { get; init; }
    public required DateTime FailedAt { get; init; }
}
