using System.Text;

namespace Ecommerce.Pipeline.Functions.Tests;

public sealed class KafkaEventDataReaderTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 25, 12, 0, 0, 123, TimeSpan.Zero);

    [Fact]
    public void Reads_value_key_partition_offset_topic_and_timestamp()
    {
        var record = KafkaEventDataReader.ReadOne(Events.Envelope(4, 1234567890123, "{\"a\":1}", At, key: "user-7"));

        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(record.Value.Span));
        Assert.Equal("user-7", Encoding.UTF8.GetString(record.Key.Span));
        Assert.Equal(4, record.Partition);
        Assert.Equal(1234567890123, record.Offset);
        Assert.Equal(Events.Topic, record.Topic);
        Assert.Equal(At, record.Timestamp);
    }

    [Fact]
    public void A_null_key_and_null_value_become_empty()
    {
        var record = KafkaEventDataReader.ReadOne(Events.Envelope(0, 1, null, At, key: null));

        Assert.True(record.Key.IsEmpty);
        Assert.True(record.Value.IsEmpty);
    }

    [Fact]
    public void A_timestamp_without_offset_is_utc_and_property_case_does_not_matter()
    {
        const string json = """{"offset":7,"partition":1,"topic":"t","timestamp":"2026-11-25T12:00:00.5","value":"v"}""";

        var record = KafkaEventDataReader.ReadOne(json);

        Assert.Equal(new DateTimeOffset(2026, 11, 25, 12, 0, 0, 500, TimeSpan.Zero), record.Timestamp);
        Assert.Equal(7, record.Offset);
        Assert.Equal("v", Encoding.UTF8.GetString(record.Value.Span));
    }

    [Fact]
    public void A_value_that_is_bad_json_is_passed_through_untouched()
    {
        // A poison message is the processor's business (a dead letter), never the reader's.
        var record = KafkaEventDataReader.ReadOne(Events.Envelope(0, 1, "{not json", At));

        Assert.Equal("{not json", Encoding.UTF8.GetString(record.Value.Span));
    }

    [Theory]
    [InlineData("{\"Value\":\"x\"}")]
    [InlineData("[1,2]")]
    [InlineData("plain text value")]
    [InlineData("{\"Offset\":\"seven\",\"Partition\":0,\"Topic\":\"t\"}")]
    public void An_element_that_is_not_an_envelope_throws(string element)
    {
        var error = Assert.Throws<FormatException>(() => KafkaEventDataReader.Read(["""{"Offset":1,"Partition":0,"Topic":"t"}""", element]));

        Assert.Contains("element 1", error.Message, StringComparison.Ordinal);
    }
}
