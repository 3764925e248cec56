using Ecommerce.Pipeline.Core.Model;

namespace Ecommerce.Pipeline.TestSupport;

/// <summary>Dead letters as a sink receives them, for warehouse tests that store and read them back.</summary>
public static class StoredDeadLetters
{
    /// <summary>The dead letter of the record at (<paramref name="topic"/>, <paramref name="partition"/>, <paramref name="offset"/>).</summary>
    public static DeadLetter At(long offset, DateTime failedAt, DeadLetterReason reason = DeadLetterReason.MalformedJson,
        int partition = 0, string topic = RawRecords.Topic, string payload = "{not json", string? detail = null) => new()
    {
        Reason = reason,
        Detail = detail,
        TransactionId = null,
        Payload = payload,
        PayloadEncoding = DeadLetter.EncodingUtf8,
        KafkaTopic = topic,
        KafkaPartition = partition,
        KafkaOffset = offset,
        FailedAt = failedAt,
    };
}
