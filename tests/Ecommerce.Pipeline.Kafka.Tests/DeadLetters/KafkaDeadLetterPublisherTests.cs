using System.Text.Json;
using Confluent.Kafka;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Kafka.DeadLetters;
using Ecommerce.Pipeline.Kafka.Embedded;

namespace Ecommerce.Pipeline.Kafka.Tests.DeadLetters;

[Trait("Category", "Integration")]
public sealed class KafkaDeadLetterPublisherTests
{
    private static readonly string[] ContractFields =
    [
        "reason", "detail", "transaction_id", "payload", "payload_encoding",
        "kafka_topic", "kafka_partition", "kafka_offset", "failed_at",
    ];

    private static readonly DateTime FailedAt = new(2026, 11, 25, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Published_dead_letters_are_on_the_topic_with_every_contract_field_key_and_headers()
    {
        using var cluster = EmbeddedKafkaCluster.Start(brokers: 3, partitions: 3);
        using var publisher = new KafkaDeadLetterPublisher(cluster.BootstrapServers);
        var letters = new[]
        {
            new DeadLetter
            {
                Reason = DeadLetterReason.InvalidPrice,
                Detail = "-3.50",
                TransactionId = "tx-0001",
                Payload = """{"transaction_id":"tx-0001","price":"-3.50","city":"Zürich"}""",
                PayloadEncoding = DeadLetter.EncodingUtf8,
                KafkaTopic = "transactions_stream",
                KafkaPartition = 4,
                KafkaOffset = 1_234_567_890_123,
                FailedAt = FailedAt.AddTicks(1_234_560), // .123456 s
            },
            new DeadLetter
            {
                Reason = DeadLetterReason.InvalidEncoding,
                Detail = null,
                TransactionId = null,
                Payload = Convert.ToBase64String([0xff, 0xfe, 0x00, 0x41]),
                PayloadEncoding = DeadLetter.EncodingBase64,
                KafkaTopic = "transactions_stream",
                KafkaPartition = 0,
                KafkaOffset = 7,
                FailedAt = FailedAt,
            },
        };

        await publisher.PublishAsync(letters, CancellationToken.None);

        var records = KafkaTestKit.ConsumeAll(cluster.BootstrapServers, EmbeddedKafkaCluster.DeadLetterTopic);
        Assert.Equal(2, records.Count);
        var first = Assert.Single(records, r => r.Key == "tx-0001");
        var second = Assert.Single(records, r => r.Key == "transactions_stream:0:7");

        using (var json = JsonDocument.Parse(first.ValueBytes))
        {
            var root = json.RootElement;
            Assert.Equal(ContractFields, root.EnumerateObject().Select(p => p.Name));
            Assert.Equal("invalid_price", root.GetProperty("reason").GetString());
            Assert.Equal("-3.50", root.GetProperty("detail").GetString());
            Assert.Equal("tx-0001", root.GetProperty("transaction_id").GetString());
            Assert.Equal(letters[0].Payload, root.GetProperty("payload").GetString());
            Assert.Equal("utf8", root.GetProperty("payload_encoding").GetString());
            Assert.Equal("transactions_stream", root.GetProperty("kafka_topic").GetString());
            Assert.Equal(4, root.GetProperty("kafka_partition").GetInt32());
            Assert.Equal(1_234_567_890_123, root.GetProperty("kafka_offset").GetInt64());
            Assert.Equal("2026-11-25T10:00:00.123456Z", root.GetProperty("failed_at").GetString());
        }

        using (var json = JsonDocument.Parse(second.ValueBytes))
        {
            var root = json.RootElement;
            Assert.Equal(ContractFields, root.EnumerateObject().Select(p => p.Name));
            Assert.Equal("invalid_encoding", root.GetProperty("reason").GetString());
            Assert.Equal(JsonValueKind.Null, root.GetProperty("detail").ValueKind);
            Assert.Equal(JsonValueKind.Null, root.GetProperty("transaction_id").ValueKind);
            Assert.Equal(new byte[] { 0xff, 0xfe, 0x00, 0x41 }, Convert.FromBase64String(root.GetProperty("payload").GetString()!));
            Assert.Equal("base64", root.GetProperty("payload_encoding").GetString());
            Assert.Equal(0, root.GetProperty("kafka_partition").GetInt32());
            Assert.Equal(7, root.GetProperty("kafka_offset").GetInt64());
            Assert.Equal("2026-11-25T10:00:00.000000Z", root.GetProperty("failed_at").GetString());
        }

        Assert.Equal("invalid_price", first.Header(KafkaDeadLetterPublisher.ReasonHeader));
        Assert.Equal("transactions_stream", first.Header(KafkaDeadLetterPublisher.SourceTopicHeader));
        Assert.Equal("4", first.Header(KafkaDeadLetterPublisher.SourcePartitionHeader));
        Assert.Equal("1234567890123", first.Header(KafkaDeadLetterPublisher.SourceOffsetHeader));
        Assert.Equal("invalid_encoding", second.Header(KafkaDeadLetterPublisher.ReasonHeader));
        Assert.Equal("0", second.Header(KafkaDeadLetterPublisher.SourcePartitionHeader));
        Assert.Equal("7", second.Header(KafkaDeadLetterPublisher.SourceOffsetHeader));
    }

    [Fact]
    public async Task A_large_batch_is_acknowledged_in_full_before_PublishAsync_returns()
    {
        using var cluster = EmbeddedKafkaCluster.Start(brokers: 3, partitions: 6);
        using var publisher = new KafkaDeadLetterPublisher(cluster.BootstrapServers);
        var letters = Enumerable.Range(0, 5_000).Select(i => new DeadLetter
        {
            Reason = (DeadLetterReason)(i % DeadLetterReasons.All.Count),
            Detail = $"detail {i}",
            TransactionId = i % 2 == 0 ? $"tx-{i}" : null,
            Payload = $$"""{"n":{{i}}}""",
            PayloadEncoding = DeadLetter.EncodingUtf8,
            KafkaTopic = "transactions_stream",
            KafkaPartition = i % 6,
            KafkaOffset = i,
            FailedAt = FailedAt,
        }).ToList();

        await publisher.PublishAsync(letters, CancellationToken.None);

        // Read the end offsets only after PublishAsync returned: everything must already be there.
        using var reader = new ConsumerBuilder<Ignore, Ignore>(
            KafkaClientConfig.Consumer(cluster.BootstrapServers, "dlq-count")).Build();
        var total = Enumerable.Range(0, 6).Sum(p =>
            reader.QueryWatermarkOffsets(new TopicPartition(EmbeddedKafkaCluster.DeadLetterTopic, p), TimeSpan.FromSeconds(10)).High.Value);
        Assert.Equal(5_000, total);

        var records = KafkaTestKit.ConsumeAll(cluster.BootstrapServers, EmbeddedKafkaCluster.DeadLetterTopic);
        Assert.Equal(
            letters.Select(KafkaDeadLetterPublisher.KeyOf).Order(StringComparer.Ordinal),
            records.Select(r => r.Key!).Order(StringComparer.Ordinal));
        Assert.Equal(
            letters.Select(l => l.ReasonCode).GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count()),
            records.Select(r => r.Header(KafkaDeadLetterPublisher.ReasonHeader)!).GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count()));
    }

    [Fact]
    public async Task An_empty_batch_produces_nothing()
    {
        using var cluster = EmbeddedKafkaCluster.Start(brokers: 1, partitions: 1);
        using var publisher = new KafkaDeadLetterPublisher(cluster.BootstrapServers);

        await publisher.PublishAsync([], CancellationToken.None);

        Assert.Empty(KafkaTestKit.ConsumeAll(cluster.BootstrapServers, EmbeddedKafkaCluster.DeadLetterTopic));
    }

    [Fact]
    public async Task A_custom_topic_is_used()
    {
        using var cluster = EmbeddedKafkaCluster.StartEmpty(brokers: 1);
        cluster.CreateTopic("other_dlq", partitions: 2);
        using var publisher = new KafkaDeadLetterPublisher(cluster.BootstrapServers, "other_dlq");

        await publisher.PublishAsync([Letter(1)], CancellationToken.None);

        var record = Assert.Single(KafkaTestKit.ConsumeAll(cluster.BootstrapServers, "other_dlq"));
        Assert.Equal("tx-1", record.Key);
    }

    [Fact]
    public async Task Undeliverable_dead_letters_make_PublishAsync_throw()
    {
        var cluster = EmbeddedKafkaCluster.Start(brokers: 1, partitions: 1);
        var config = KafkaClientConfig.Producer(cluster.BootstrapServers, "dlq-doomed");
        config.MessageTimeoutMs = 1_500;
        using var producer = new ProducerBuilder<byte[], byte[]>(config).SetLogHandler((_, _) => { }).Build();
        var publisher = new KafkaDeadLetterPublisher(producer);
        cluster.Dispose(); // nothing listens any more

        var error = await Assert.ThrowsAsync<DeadLetterPublishException>(
            () => publisher.PublishAsync([Letter(1), Letter(2), Letter(3)], CancellationToken.None));
        Assert.Equal(3, error.Failed);
        Assert.Equal(3, error.Total);
        Assert.NotNull(error.FirstError);
        publisher.Dispose(); // does not own the producer: must not dispose it
        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(1)));
    }

    [Theory]
    [InlineData(DateTimeKind.Utc, "2026-11-25T10:00:00.000001Z")]
    [InlineData(DateTimeKind.Unspecified, "2026-11-25T10:00:00.000001Z")]
    public void Failed_at_is_rfc3339_utc_with_microseconds(DateTimeKind kind, string expected)
    {
        var value = DateTime.SpecifyKind(FailedAt.AddTicks(10), kind);
        Assert.Equal(expected, DeadLetterJson.FormatTimestamp(value));
    }

    [Fact]
    public void A_local_failed_at_is_converted_to_utc()
    {
        var local = FailedAt.AddTicks(10).ToLocalTime();
        Assert.Equal("2026-11-25T10:00:00.000001Z", DeadLetterJson.FormatTimestamp(local));
    }

    [Fact]
    public async Task Nul_in_payload_and_detail_is_on_the_topic_whole_as_a_json_escape()
    {
        using var cluster = EmbeddedKafkaCluster.Start(brokers: 1, partitions: 1);
        using var publisher = new KafkaDeadLetterPublisher(cluster.BootstrapServers);
        // A payload of 137 characters with a raw NUL at 42 (malformed JSON, kept as sent), and a detail with one.
        var payload = new string('a', 42) + "\0" + new string('b', 94);
        var letter = new DeadLetter
        {
            Reason = DeadLetterReason.MalformedJson, Detail = "1\u00000", TransactionId = null, Payload = payload,
            PayloadEncoding = DeadLetter.EncodingUtf8, KafkaTopic = "transactions_stream", KafkaPartition = 0, KafkaOffset = 3,
            FailedAt = FailedAt,
        };

        await publisher.PublishAsync([letter], CancellationToken.None);

        var record = Assert.Single(KafkaTestKit.ConsumeAll(cluster.BootstrapServers, EmbeddedKafkaCluster.DeadLetterTopic));
        var value = record.ValueBytes!;
        Assert.DoesNotContain((byte)0, value);
        Assert.Contains("a\\u0000b", System.Text.Encoding.UTF8.GetString(value), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(value);
        Assert.Equal(payload, json.RootElement.GetProperty("payload").GetString());
        Assert.Equal("1\u00000", json.RootElement.GetProperty("detail").GetString());
    }

    private static DeadLetter Letter(int i) => new()
    {
        Reason = DeadLetterReason.MalformedJson,
        Detail = "unexpected end",
        TransactionId = $"tx-{i}",
        Payload = "{",
        PayloadEncoding = DeadLetter.EncodingUtf8,
        KafkaTopic = "transactions_stream",
        KafkaPartition = 0,
        KafkaOffset = i,
        FailedAt = FailedAt,
    };
}
