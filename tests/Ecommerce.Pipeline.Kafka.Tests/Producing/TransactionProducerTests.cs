using System.Text;
using Confluent.Kafka;
using Ecommerce.Pipeline.Cli.Producing;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Kafka.Embedded;
using Ecommerce.Pipeline.Kafka.Producing;
using Ecommerce.Pipeline.Workload;

namespace Ecommerce.Pipeline.Kafka.Tests.Producing;

[Trait("Category", "Integration")]
public sealed class TransactionProducerTests
{
    private const string Topic = EmbeddedKafkaCluster.TransactionsTopic;
    private static readonly DateTimeOffset Now = new(2025, 11, 25, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Records every report synchronously (unlike <see cref="Progress{T}"/>, which posts them).</summary>
    private sealed class RecordingProgress(Action<ProduceProgress>? onReport = null) : IProgress<ProduceProgress>
    {
        private readonly Lock _gate = new();
        private readonly List<ProduceProgress> _reports = [];

        public IReadOnlyList<ProduceProgress> Reports
        {
            get
            {
                lock (_gate)
                {
                    return [.. _reports];
                }
            }
        }

        public void Report(ProduceProgress value)
        {
            lock (_gate)
            {
                _reports.Add(value);
            }

            onReport?.Invoke(value);
        }
    }

    [Fact]
    public async Task Ten_thousand_synthetic_messages_land_on_the_topic_exactly_keyed_by_user_id()
    {
        using var cluster = EmbeddedKafkaCluster.Start(brokers: 3, partitions: 6);
        // The clock never moves (no rate), so the generator's output can be reproduced below.
        var time = new VirtualTimeProvider(Now);
        var producer = TransactionProducer.Create(cluster.BootstrapServers, time);

        var summary = await RunAsync(producer, new ProduceOptions { Count = 10_000, Seed = 77, BadRatio = 0.05 }, time);

        Assert.Equal(10_000, summary.Sent);
        Assert.Equal(10_000, summary.Acknowledged);
        Assert.Equal(0, summary.Failed);
        Assert.True(summary.Succeeded);
        Assert.Empty(summary.Errors);
        Assert.Equal(SyntheticTransactions.InjectableReasons.Count, summary.InjectedBad.Count);
        Assert.InRange(summary.InjectedBadTotal, 400, 600);

        Assert.Equal(10_000, SumOfWatermarks(cluster.BootstrapServers, Topic));

        var expected = new Dictionary<string, int>();
        using (var generator = new SyntheticTransactions(77, 0.05, new VirtualTimeProvider(Now)))
        {
            for (var i = 0; i < 10_000; i++)
            {
                var m = generator.Next();
                var id = Identity(m.Key.ToArray(), m.Value.ToArray());
                expected[id] = expected.GetValueOrDefault(id) + 1;
            }
        }

        var consumed = KafkaTestKit.ConsumeAll(cluster.BootstrapServers, Topic);
        Assert.Equal(10_000, consumed.Count);
        foreach (var message in consumed)
        {
            Assert.NotNull(message.KeyBytes);
            var id = Identity(message.KeyBytes!, message.ValueBytes!);
            Assert.True(expected.TryGetValue(id, out var left) && left > 0, "a message on the topic was not generated");
            expected[id] = left - 1;
        }

        // Keyed by user: one user's purchases all sit in one partition, in order.
        Assert.All(consumed.GroupBy(m => m.Key), g => Assert.Single(g.Select(m => m.Partition).Distinct()));
    }

    [Fact]
    public async Task The_rate_is_held_on_the_producers_clock_and_progress_is_reported()
    {
        using var cluster = EmbeddedKafkaCluster.Start(brokers: 1, partitions: 3);
        var time = new VirtualTimeProvider(Now);
        var progress = new RecordingProgress();

        var summary = await RunAsync(TransactionProducer.Create(cluster.BootstrapServers, time),
            new ProduceOptions { Count = 3_000, Rate = 1_000, Seed = 1 }, time, progress);

        Assert.Equal(3_000, summary.Acknowledged);
        Assert.InRange(summary.SendingElapsed.TotalSeconds, 3 * 0.95, 3 * 1.05);
        Assert.InRange(summary.AchievedRate, 950, 1_050);

        var reports = progress.Reports;
        var live = reports.Where(r => !r.Flushing).ToList();
        // Every 250 ms of the run: about a dozen.
        Assert.InRange(live.Count, 8, 16);
        Assert.All(live, r => Assert.InRange(r.CurrentRate, 800, 1_200));
        Assert.InRange(live.Max(r => r.Sent), 2_700, 3_000);
        Assert.Equal(3_000L, live[0].TargetCount);
        var last = reports[^1];
        Assert.True(last.Flushing);
        Assert.Equal((3_000L, 3_000L, 0L), (last.Sent, last.Acknowledged, last.Failed));
    }

    [Fact]
    public async Task A_duration_stops_the_run_after_rate_times_duration_messages()
    {
        using var cluster = EmbeddedKafkaCluster.Start(brokers: 1, partitions: 3);
        var time = new VirtualTimeProvider(Now);

        var summary = await RunAsync(TransactionProducer.Create(cluster.BootstrapServers, time),
            new ProduceOptions { Duration = TimeSpan.FromSeconds(2), Rate = 500, Seed = 2 }, time);

        Assert.InRange(summary.Sent, 950, 1_050);
        Assert.Equal(summary.Sent, summary.Acknowledged);
        Assert.Equal(summary.Sent, SumOfWatermarks(cluster.BootstrapServers, Topic));
    }

    [Fact]
    public async Task Cancelling_stops_sending_but_still_waits_for_every_acknowledgement()
    {
        using var cluster = EmbeddedKafkaCluster.Start(brokers: 1, partitions: 3);
        using var cancel = new CancellationTokenSource();
        var progress = new RecordingProgress(p =>
        {
            if (p.Sent >= 200)
            {
                cancel.Cancel();
            }
        });

        var summary = await RunAsync(TransactionProducer.Create(cluster.BootstrapServers),
            new ProduceOptions { Rate = 2_000, Seed = 3, ProgressInterval = TimeSpan.FromMilliseconds(50) }, null, progress, cancel.Token);

        Assert.True(summary.Cancelled);
        Assert.True(summary.Sent >= 200);
        Assert.True(summary.Succeeded);
        Assert.Equal(summary.Sent, SumOfWatermarks(cluster.BootstrapServers, Topic));
    }

    [Fact]
    public async Task A_json_lines_file_is_replayed_line_for_line()
    {
        using var cluster = EmbeddedKafkaCluster.StartEmpty(brokers: 1);
        cluster.CreateTopic("replay", partitions: 1);
        byte[][] lines =
        [
            "{\"transaction_id\":\"t1\",\"user_id\":\"u000001\",\"product_id\":\"SKU-00001\",\"price\":\"$1,299.99\",\"timestamp\":\"2025-11-25T11:59:59Z\"}"u8.ToArray(),
            "{\"transactionId\":2,\"userId\":1000020,\"productId\":7,\"price\":15,\"currency\":\"eur\",\"timestamp\":1764071999}"u8.ToArray(),
            "not json"u8.ToArray(),
            [.. "{\"user_id\":\"u3\",\"note\":\"Caf"u8, 0xE9, .. "\"}"u8],
            "[1,2,3]"u8.ToArray(),
        ];
        var path = Path.Combine(Path.GetTempPath(), $"replay-{Guid.NewGuid():N}.jsonl");
        try
        {
            await using (var file = File.Create(path))
            {
                foreach (var line in lines)
                {
                    await file.WriteAsync(line);
                    await file.WriteAsync("\r\n\n"u8.ToArray()); // CRLF, and a blank line between
                }
            }

            var summary = await RunAsync(TransactionProducer.Create(cluster.BootstrapServers),
                new ProduceOptions { Topic = "replay", FilePath = path });

            Assert.Equal((5L, 5L, 0L), (summary.Sent, summary.Acknowledged, summary.Failed));
            Assert.Empty(summary.InjectedBad);
            var consumed = KafkaTestKit.ConsumeAll(cluster.BootstrapServers, "replay");
            Assert.Equal(lines, consumed.Select(m => m.ValueBytes!));
            Assert.Equal(new string?[] { "u000001", "1000020", null, "u3", null }, consumed.Select(m => m.Key));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_message_the_client_refuses_is_counted_as_failed_with_its_error_and_the_rest_go_on()
    {
        using var cluster = EmbeddedKafkaCluster.StartEmpty(brokers: 1);
        cluster.CreateTopic("replay", partitions: 1);
        var huge = "{\"user_id\":\"u1\",\"blob\":\"" + new string('x', 2_000_000) + "\"}";
        var content = "{\"user_id\":\"u0\"}\n" + huge + "\n{\"user_id\":\"u2\"}\n";

        using var source = new JsonLinesSource(new MemoryStream(Encoding.UTF8.GetBytes(content)));
        var summary = await TransactionProducer.Create(cluster.BootstrapServers)
            .ProduceAsync(source, new ProduceOptions { Topic = "replay" });

        Assert.Equal((3L, 2L, 1L), (summary.Sent, summary.Acknowledged, summary.Failed));
        Assert.False(summary.Succeeded);
        Assert.Contains(summary.Errors, e => e.Contains("Msg_size_too_large", StringComparison.OrdinalIgnoreCase)
            || e.Contains("too large", StringComparison.OrdinalIgnoreCase));
        var keys = KafkaTestKit.ConsumeAll(cluster.BootstrapServers, "replay").Select(m => m.Key).ToList();
        Assert.Equal(2, keys.Count);
        Assert.Equal("u0", keys[0]);
        Assert.Equal("u2", keys[1]);
    }

    [Fact]
    public async Task An_unreachable_cluster_fails_fast_with_a_clear_error()
    {
        var producer = TransactionProducer.Create("127.0.0.1:9");

        var error = await Assert.ThrowsAsync<KafkaException>(() =>
            RunAsync(producer, new ProduceOptions { Count = 10, ConnectTimeout = TimeSpan.FromSeconds(2) }));

        Assert.Contains("unreachable", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0L, null, null, 0.0, null)]
    [InlineData(null, -1.0, null, 0.0, null)]
    [InlineData(null, null, -5.0, 0.0, null)]
    [InlineData(null, null, null, 1.5, null)]
    [InlineData(null, null, null, 0.1, "data.jsonl")]
    public void Contradictory_options_are_refused_with_a_one_line_message(long? count, double? seconds, double? rate, double badRatio, string? file)
    {
        var options = new ProduceOptions
        {
            Count = count,
            Duration = seconds is { } s ? TimeSpan.FromSeconds(s) : null,
            Rate = rate,
            BadRatio = badRatio,
            FilePath = file,
        };

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.DoesNotContain('\n', error.Message);
    }

    /// <summary>What the CLI's verbs do: the source the options ask for (generated on <paramref name="time"/>), sent.</summary>
    private static async Task<ProduceSummary> RunAsync(TransactionProducer producer, ProduceOptions options,
        TimeProvider? time = null, IProgress<ProduceProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        using var source = ProduceSource.Open(options, time);
        return await producer.ProduceAsync(source, options, progress, cancellationToken);
    }

    private static long SumOfWatermarks(string bootstrapServers, string topic)
    {
        var config = KafkaClientConfig.Consumer(bootstrapServers, $"watermarks-{Guid.NewGuid():N}");
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(config).Build();
        return KafkaTestKit.Partitions(bootstrapServers, topic).Sum(p =>
        {
            var marks = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10));
            return marks.High.Value - marks.Low.Value;
        });
    }

    private static string Identity(byte[] key, byte[] value) => Convert.ToBase64String(key) + ":" + Convert.ToBase64String(value);
}
