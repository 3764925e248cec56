using System.Globalization;
using Confluent.Kafka;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.Kafka.Backfill;
using Ecommerce.Pipeline.Kafka.Embedded;
using Ecommerce.Pipeline.Kafka.Tests.Consuming;

namespace Ecommerce.Pipeline.Kafka.Tests.Backfill;

/// <summary>The backfill end to end in-process: window → Core batch handler → sink and dead letters, idempotent.</summary>
[Trait("Category", "Integration")]
public sealed class BackfillRunnerTests
{
    private const string Topic = EmbeddedKafkaCluster.TransactionsTopic;

    /// <summary>
    /// 3 partitions × 60 messages, one a minute from <paramref name="start"/> (Kafka and JSON timestamps equal); every
    /// 10th message has a negative price. Returns (partition, minute, id, valid).
    /// </summary>
    private static List<(int Partition, int Minute, string Id, bool Valid)> ProduceHour(EmbeddedKafkaCluster cluster, DateTimeOffset start)
    {
        var produced = new List<(int, int, string, bool)>();
        var messages = new List<(int, long, string)>();
        for (var p = 0; p < 3; p++)
        {
            for (var minute = 0; minute < 60; minute++)
            {
                var at = start.AddMinutes(minute);
                var id = string.Create(CultureInfo.InvariantCulture, $"bf-{p}-{minute:D2}");
                var valid = minute % 10 != 7;
                var price = valid ? "19.99" : "-1";
                var json = $$"""{"transaction_id":"{{id}}","user_id":"u{{minute}}","product_id":"p{{p}}","price":{{price}},"timestamp":"{{at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)}}","payment_method":"visa"}""";
                messages.Add((p, at.ToUnixTimeMilliseconds(), json));
                produced.Add((p, minute, id, valid));
            }
        }

        BackfillTestKit.Produce(cluster.BootstrapServers, Topic, messages);
        return produced;
    }

    private static BackfillRunner Runner(BackfillOptions options, ITransactionSink sink, IDeadLetterPublisher publisher) =>
        new(options, new TransactionBatchHandler(new BatchProcessor(), sink, publisher, NullPipelineMetrics.Instance, TimeProvider.System));

    [Fact]
    public async Task Stores_exactly_the_window_then_a_second_run_adds_nothing_and_no_group_offsets_move()
    {
        using var cluster = EmbeddedKafkaCluster.Start(brokers: 1, partitions: 3);
        // Whole minutes in the recent past, so the processor neither calls them too old nor in the future.
        var start = new DateTimeOffset(DateTime.UtcNow.Ticks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero).AddHours(-2);
        var produced = ProduceHour(cluster, start);
        var partitions = new[] { 0, 1, 2 };

        // A live group with committed offsets somewhere in the middle.
        var live = partitions.Select(p => new TopicPartitionOffset(Topic, p, 17 + p)).ToList();
        using (var committer = new ConsumerBuilder<Ignore, Ignore>(KafkaClientConfig.Consumer(cluster.BootstrapServers, "live")).Build())
        {
            committer.Commit(live);
        }

        // Minutes [20, 40) of every partition.
        var window = new BackfillWindow(start.AddMinutes(20), start.AddMinutes(40));
        var inWindow = produced.Where(m => m.Minute is >= 20 and < 40).ToList();
        var options = new BackfillOptions { BootstrapServers = cluster.BootstrapServers, Window = window, MaxBatchRecords = 7 };
        var sink = new MemorySink();
        var publisher = new MemoryDeadLetterPublisher();

        var first = await Runner(options, sink, publisher).RunAsync();

        Assert.Equal(inWindow.Count, first.InWindow);
        Assert.Equal(inWindow.Count(m => m.Valid), first.Stored);
        Assert.Equal(0, first.Duplicates);
        Assert.Equal(inWindow.Count(m => !m.Valid), first.DeadLetters);
        Assert.Equal(3, first.Partitions);
        Assert.Equal(inWindow.Where(m => m.Valid).Select(m => m.Id).Order(), sink.Rows.Keys.Order());
        Assert.Equal(inWindow.Where(m => !m.Valid).Select(m => m.Id).Order(),
            publisher.Published.Select(d => d.TransactionId).Order());
        Assert.All(sink.DeadLetters, d => Assert.Equal(DeadLetterReason.InvalidPrice, d.Reason));

        var second = await Runner(options, sink, publisher).RunAsync();

        Assert.Equal(inWindow.Count, second.InWindow);
        Assert.Equal(0, second.Stored);
        Assert.Equal(inWindow.Count(m => m.Valid), second.Duplicates);
        Assert.Equal(inWindow.Count(m => m.Valid), sink.Rows.Count);
        Assert.Equal(inWindow.Count(m => !m.Valid), sink.DeadLetters.Count); // the table dedups by (topic, partition, offset)

        Assert.Equal(live.ToDictionary(o => o.Partition.Value, o => (long?)o.Offset.Value),
            ConsumingKit.Committed(cluster.BootstrapServers, "live", Topic, partitions));
        Assert.All(ConsumingKit.Committed(cluster.BootstrapServers, BackfillOptions.DefaultGroupId, Topic, partitions).Values,
            Assert.Null);
    }

    [Fact]
    public async Task A_dry_run_counts_per_partition_and_touches_no_sink()
    {
        using var cluster = EmbeddedKafkaCluster.Start(brokers: 1, partitions: 3);
        var start = DateTimeOffset.UtcNow.AddHours(-3);
        ProduceHour(cluster, start);
        var options = new BackfillOptions
        {
            BootstrapServers = cluster.BootstrapServers,
            Window = new BackfillWindow(start.AddMinutes(50), start.AddHours(2)),
        };

        var summary = await new BackfillRunner(options).DryRunAsync();

        Assert.Equal([10L, 10L, 10L], summary.PerPartition.Select(c => c.InWindow));
        Assert.Equal(30, summary.InWindow);
        Assert.Equal([50L, 50L, 50L], summary.Plan.Select(p => p.Start));
        Assert.Equal(0, summary.Stored);
        await Assert.ThrowsAsync<InvalidOperationException>(() => new BackfillRunner(options).RunAsync());
    }

    [Fact]
    public async Task A_batch_that_keeps_failing_fails_the_backfill_with_its_error()
    {
        using var cluster = EmbeddedKafkaCluster.Start(brokers: 1, partitions: 3);
        var start = DateTimeOffset.UtcNow.AddHours(-2);
        ProduceHour(cluster, start);
        var sink = new MemorySink { BeforeWrite = (_, _) => throw new IOException("disk full") };
        var options = new BackfillOptions
        {
            BootstrapServers = cluster.BootstrapServers,
            Window = new BackfillWindow(start, start.AddHours(1)),
            MaxBatchRecords = 10,
            MaxBatchAttempts = 3,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
            RetryMaxDelay = TimeSpan.FromMilliseconds(20),
        };
        var runner = Runner(options, sink, new MemoryDeadLetterPublisher());

        var error = await Assert.ThrowsAsync<IOException>(() => runner.RunAsync());

        Assert.Equal("disk full", error.Message);
        Assert.Equal(3, sink.Attempts);
        Assert.Equal(2, runner.Counters.Retries);
        Assert.Empty(sink.Rows);
    }
}
