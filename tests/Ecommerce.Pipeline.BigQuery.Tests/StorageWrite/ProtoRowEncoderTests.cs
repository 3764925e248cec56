using Ecommerce.Pipeline.BigQuery.StorageWrite;
using Ecommerce.Pipeline.Core.Schema;
using Google.Protobuf.Reflection;
using Xunit;

namespace Ecommerce.Pipeline.BigQuery.Tests.StorageWrite;

public sealed class ProtoRowEncoderTests
{
    [Fact]
    public void The_descriptor_is_a_flat_proto2_message_with_a_field_per_column_in_schema_order()
    {
        var message = RowMessageReader.Build(ProtoRowEncoders.Transactions.WriterSchema.ProtoDescriptor);

        Assert.Equal("transactions", message.Name);
        Assert.Equal(PipelineSchema.Transactions.Columns.Select(c => c.Name), message.Fields.InFieldNumberOrder().Select(f => f.Name));
        Assert.Equal(Enumerable.Range(1, PipelineSchema.Transactions.Columns.Count), message.Fields.InFieldNumberOrder().Select(f => f.FieldNumber));
        Assert.All(message.Fields.InDeclarationOrder(), f => Assert.False(f.IsRepeated || f.IsRequired || f.FieldType == FieldType.Message));
        var types = message.Fields.InDeclarationOrder().ToDictionary(f => f.Name, f => f.FieldType);
        Assert.Equal(FieldType.String, types["transaction_id"]);
        Assert.Equal(FieldType.String, types["price"]);
        Assert.Equal(FieldType.Int64, types["event_timestamp"]);
        Assert.Equal(FieldType.Int32, types["event_date"]);
        Assert.Equal(FieldType.Double, types["latitude"]);
        Assert.Equal(FieldType.Int64, types["kafka_offset"]);
    }

    [Fact]
    public void Every_column_type_decodes_to_its_value()
    {
        var row = TestData.Row(7, price: 1234.56m);
        var message = RowMessageReader.Build(ProtoRowEncoders.Transactions.WriterSchema.ProtoDescriptor);

        var values = RowMessageReader.Read(message, ProtoRowEncoders.Transactions.Encode(row));

        Assert.Equal(PipelineSchema.Transactions.Columns.Count, values.Count);
        Assert.Equal("tx-000007", values["transaction_id"]);
        Assert.Equal("1234.56", values["price"]);
        // 2026-11-25T17:04:05.123456Z (TestData.Event), counted independently of the encoder.
        var expectedMicros = (long)(new DateTimeOffset(2026, 11, 25, 17, 4, 5, TimeSpan.Zero) - DateTimeOffset.UnixEpoch).TotalSeconds * 1_000_000 + 123_456;
        Assert.Equal(expectedMicros, values["event_timestamp"]);
        Assert.Equal((int)(new DateTime(2026, 11, 25) - new DateTime(1970, 1, 1)).TotalDays, values["event_date"]);
        Assert.Equal(48.8566, values["latitude"]);
        Assert.Equal(2.3522, values["longitude"]);
        Assert.Equal(3L, values["kafka_partition"]);
        Assert.Equal(9_007_199_254_740_993L + 7, values["kafka_offset"]); // above 2^53, exact
        Assert.Equal("Credit Card", values["payment_method_raw"]);
    }

    [Fact]
    public void Nulls_are_absent_fields()
    {
        var row = Bare(TestData.Event);
        var message = RowMessageReader.Build(ProtoRowEncoders.Transactions.WriterSchema.ProtoDescriptor);

        var values = RowMessageReader.Read(message, ProtoRowEncoders.Transactions.Encode(row));

        var nullable = PipelineSchema.Transactions.Columns.Where(c => c.Nullable).Select(c => c.Name).ToList();
        Assert.Equal(7, nullable.Count);
        Assert.All(nullable, name => Assert.False(values.ContainsKey(name), name));
        Assert.Equal(PipelineSchema.Transactions.Columns.Count - nullable.Count, values.Count);
    }

    [Fact]
    public void A_pre_1970_timestamp_is_negative_microseconds_rounded_down()
    {
        var row = Bare(new DateTime(1969, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(9_999_995));
        var message = RowMessageReader.Build(ProtoRowEncoders.Transactions.WriterSchema.ProtoDescriptor);

        var values = RowMessageReader.Read(message, ProtoRowEncoders.Transactions.Encode(row));

        // 0.5 µs before the epoch lies in the microsecond [-1 µs, 0): BigQuery's microsecond is -1.
        Assert.Equal(-1L, values["event_timestamp"]);
        Assert.Equal(-1, values["event_date"]); // 1969-12-31
    }

    [Fact]
    public void Numeric_keeps_its_decimal_places_and_sign()
    {
        var message = RowMessageReader.Build(ProtoRowEncoders.Transactions.WriterSchema.ProtoDescriptor);

        Assert.Equal("0.10", RowMessageReader.Read(message, ProtoRowEncoders.Transactions.Encode(TestData.Row(1, price: 0.10m)))["price"]);
        Assert.Equal("-99999999.99", RowMessageReader.Read(message, ProtoRowEncoders.Transactions.Encode(TestData.Row(1, price: -99999999.99m)))["price"]);
    }

    [Fact]
    public void Dead_letters_decode_with_their_own_descriptor()
    {
        var deadLetter = TestData.DeadLetter(42, payload: "ünïcode {");
        var message = RowMessageReader.Build(ProtoRowEncoders.DeadLetters.WriterSchema.ProtoDescriptor);

        var values = RowMessageReader.Read(message, ProtoRowEncoders.DeadLetters.Encode(deadLetter));

        Assert.Equal(PipelineSchema.DeadLetters.Columns.Select(c => c.Name), message.Fields.InFieldNumberOrder().Select(f => f.Name));
        Assert.Equal("ünïcode {", values["payload"]);
        Assert.Equal(42L, values["kafka_offset"]);
        Assert.Equal(1L, values["kafka_partition"]);
        Assert.Equal(deadLetter.ReasonCode, values["reason"]);
        Assert.False(values.ContainsKey("transaction_id"));
        Assert.Equal((TestData.Ingested - DateTime.UnixEpoch).Ticks / 10, values["failed_at"]);
    }

    /// <summary>A row with every nullable column null.</summary>
    private static Core.Model.TransactionRow Bare(DateTime eventTime)
    {
        var full = TestData.Row(1);
        return new Core.Model.TransactionRow
        {
            TransactionId = full.TransactionId, UserId = full.UserId, ProductId = full.ProductId, Price = full.Price,
            Currency = full.Currency, EventTimestamp = eventTime, PaymentMethod = full.PaymentMethod,
            KafkaTopic = full.KafkaTopic, KafkaPartition = full.KafkaPartition, KafkaOffset = full.KafkaOffset,
            KafkaTimestamp = full.KafkaTimestamp, IngestedAt = full.IngestedAt, SourceIndex = 0,
        };
    }
}
