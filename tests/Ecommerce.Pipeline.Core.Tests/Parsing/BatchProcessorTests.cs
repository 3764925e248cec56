using System.Text;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;
using static Ecommerce.Pipeline.Core.Tests.Parsing.Harness;

namespace Ecommerce.Pipeline.Core.Tests.Parsing;

public sealed class BatchProcessorTests
{
    [Fact]
    public void A_batch_yields_rows_dead_letters_and_drops_in_batch_duplicates()
    {
        var records = new[]
        {
            Record(With("price", "1"), offset: 10),
            Record("not json", offset: 11),
            Record(With("price", "2"), offset: 12), // same transaction_id as offset 10
            Record(With("transaction_id", "\"tx-2\""), offset: 13),
        };
        var result = Processor().Process(records);

        Assert.Equal(["tx-1", "tx-2"], result.Rows.Select(r => r.TransactionId));
        Assert.Equal(1m, result.Rows[0].Price); // the first one wins
        Assert.Equal(1, result.Duplicates);
        var dl = Assert.Single(result.DeadLetters);
        Assert.Equal(("malformed_json", 11L, "not json", "utf8"), (dl.ReasonCode, dl.KafkaOffset, dl.Payload, dl.PayloadEncoding));
    }

    [Fact]
    public void Rows_carry_source_coordinates_and_batch_time()
    {
        var record = new RawRecord(Encoding.UTF8.GetBytes("user-1"), Encoding.UTF8.GetBytes(With("price", "3")),
            "transactions_stream", 4, 123_456, Now.AddSeconds(-2));
        var row = Assert.Single(Processor().Process([record]).Rows);
        Assert.Equal((4, 123_456L, "transactions_stream"), (row.KafkaPartition, row.KafkaOffset, row.KafkaTopic));
        Assert.Equal(Now.AddSeconds(-2), row.KafkaTimestamp);
        Assert.Equal(Now.UtcDateTime, row.IngestedAt);
    }

    [Fact]
    public void A_tombstone_is_a_dead_letter()
    {
        var record = new RawRecord(default, ReadOnlyMemory<byte>.Empty, "transactions_stream", 0, 1, Now);
        Assert.Equal("malformed_json", Assert.Single(Processor().Process([record]).DeadLetters).ReasonCode);
    }

    [Fact]
    public void Payload_is_cut_to_16_KiB_on_a_character_boundary()
    {
        // 'é' is two bytes: an odd cut point must step back rather than split it.
        var text = "[" + new string('é', 20_000) + "]";
        var dl = Dead(text);
        Assert.Equal("malformed_json", dl.ReasonCode);
        Assert.True(Encoding.UTF8.GetByteCount(dl.Payload) <= DeadLetter.MaxPayloadBytes);
        Assert.True(Encoding.UTF8.GetByteCount(dl.Payload) >= DeadLetter.MaxPayloadBytes - 1);
        Assert.StartsWith("[éé", dl.Payload, StringComparison.Ordinal);
    }

    [Fact]
    public void Binary_payload_is_cut_to_16_KiB_of_base64()
    {
        var value = Enumerable.Range(0, 40_000).Select(i => (byte)(0x80 + i % 64)).ToArray();
        var dl = Dead(value);
        Assert.Equal(("invalid_encoding", "base64"), (dl.ReasonCode, dl.PayloadEncoding));
        Assert.Equal(DeadLetter.MaxPayloadBytes, dl.Payload.Length);
        Assert.Equal(value[..12_288], Convert.FromBase64String(dl.Payload));
    }

    [Fact]
    public void Dead_letters_record_where_they_came_from()
    {
        var record = new RawRecord(default, Encoding.UTF8.GetBytes("[]"), "transactions_stream", 5, 77, Now);
        var dl = Assert.Single(Processor().Process([record]).DeadLetters);
        Assert.Equal(("transactions_stream", 5, 77L, Now.UtcDateTime), (dl.KafkaTopic, dl.KafkaPartition, dl.KafkaOffset, dl.FailedAt));
    }
}
