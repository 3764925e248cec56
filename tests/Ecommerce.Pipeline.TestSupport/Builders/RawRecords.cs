using System.Text;
using Ecommerce.Pipeline.Core.Model;

namespace Ecommerce.Pipeline.TestSupport;

/// <summary>Kafka records as a host hands them to the batch processor.</summary>
public static class RawRecords
{
    public const string Topic = "transactions_stream";

    /// <summary>A record whose value is <paramref name="value"/> as UTF-8; no key unless given.</summary>
    public static RawRecord Of(string value, long offset = 0, int partition = 0, string? key = null,
        DateTimeOffset? timestamp = null, string topic = Topic) =>
        Of(Encoding.UTF8.GetBytes(value), offset, partition, key, timestamp, topic);

    /// <summary>A record with these exact value bytes; the timestamp defaults to now.</summary>
    public static RawRecord Of(byte[] value, long offset = 0, int partition = 0, string? key = null,
        DateTimeOffset? timestamp = null, string topic = Topic) =>
        new(key is null ? ReadOnlyMemory<byte>.Empty : Encoding.UTF8.GetBytes(key), value, topic, partition, offset,
            timestamp ?? DateTimeOffset.UtcNow);

    /// <summary>One batch of one partition: the values at offsets 0, 1, 2, ...</summary>
    public static IReadOnlyList<RawRecord> Batch(DateTimeOffset timestamp, params string[] values) =>
        [.. values.Select((value, i) => Of(value, offset: i, timestamp: timestamp))];
}
