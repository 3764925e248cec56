using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.DuckDb;
using Ecommerce.Pipeline.Hosting;
using Ecommerce.Pipeline.Kafka;
using Ecommerce.Pipeline.Kafka.DeadLetters;
using Ecommerce.Pipeline.Kafka.Embedded;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace Ecommerce.Pipeline.Functions.Tests;

/// <summary>
/// The function path end to end: records produced to the embedded broker, consumed with a string value like the
/// host's Kafka listener, shaped as KafkaEventData JSON, handed to the function class built by the app's own
/// registrations, stored in a DuckDB file, dead letters on the dead-letter topic and in the table.
/// </summary>
[Trait("Category", "Integration")]
public sealed class FunctionEndToEndTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly EmbeddedKafkaCluster _cluster = EmbeddedKafkaCluster.Start(brokers: 1, partitions: 3);
    private readonly string _directory = Directory.CreateTempSubdirectory("functions-e2e-").FullName;

    [Fact]
    public async Task Batches_from_the_broker_go_through_the_function_into_the_warehouse_and_the_dead_letter_topic()
    {
        var now = DateTimeOffset.UtcNow;
        var good = Enumerable.Range(0, 40).Select(i => $"fn-{i:D3}").ToList();
        var bad = new Dictionary<string, string>
        {
            ["bad-json"] = "{\"transaction_id\": ",
            ["bad-array"] = "[1, 2, 3]",
            ["bad-price"] = Events.Transaction("fn-bad-price", now, price: "-3.00"),
            ["bad-missing"] = """{"transaction_id":"fn-bad-missing","price":1}""",
        };
        await ProduceAsync(good.Select((id, i) => (id, Events.Transaction(id, now.AddSeconds(-i))))
            .Concat(bad.Select(b => (b.Key, b.Value))));

        var events = ConsumeAsEnvelopes(good.Count + bad.Count);
        var databasePath = Path.Combine(_directory, "warehouse.duckdb");
        var provider = BuildApp(databasePath);
        await using (provider.ConfigureAwait(false))
        {
            var function = ActivatorUtilities.CreateInstance<ProcessTransactionsFunction>(provider);
            var context = new Mock<FunctionContext>();
            context.Setup(c => c.CancellationToken).Returns(CancellationToken.None);

            // Batches as the host would cut them (maxBatchSize), then the first batch again: a retry after a
            // failure the host could not tell from a success must store nothing twice.
            foreach (var batch in events.Chunk(16))
            {
                await function.RunAsync(batch, context.Object);
            }

            await function.RunAsync(events.Take(16).ToArray(), context.Object);
        }

        using (var warehouse = DuckDbQueryRunner.Open(databasePath))
        {
            var rows = warehouse.Execute("SELECT transaction_id, kafka_partition, kafka_offset FROM transactions ORDER BY transaction_id").Rows;
            Assert.Equal(good, rows.Select(r => (string)r[0]!));
            Assert.Equal(good.Count, rows.Select(r => (Convert.ToInt64(r[1], CultureInfo.InvariantCulture), Convert.ToInt64(r[2], CultureInfo.InvariantCulture))).Distinct().Count());
            var deadLetters = warehouse.Execute("SELECT reason, count(*) FROM dead_letters GROUP BY reason ORDER BY reason").Rows;
            Assert.Equal(
                ["invalid_price:1", "malformed_json:1", "missing_field:1", "not_an_object:1"],
                deadLetters.Select(r => $"{r[0]}:{r[1]}"));
        }

        var dlq = ConsumeDeadLetterReasons(bad.Count);
        Assert.Equal(["invalid_price", "malformed_json", "missing_field", "not_an_object"], dlq.Order(StringComparer.Ordinal));
    }

    public void Dispose()
    {
        _cluster.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is not a test failure.
        }
    }

    private ServiceProvider BuildApp(string databasePath)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [SettingNames.KafkaBrokerList] = _cluster.BootstrapServers,
                [SettingNames.Sink] = "duckdb",
                [SettingNames.DuckDbPath] = databasePath,
            })
            .Build();
        return new ServiceCollection()
            .AddLogging()
            .AddTransactionPipeline(configuration)
            .BuildServiceProvider();
    }

    private async Task ProduceAsync(IEnumerable<(string Key, string Value)> messages)
    {
        using var producer = new ProducerBuilder<string, string>(KafkaClientConfig.Producer(_cluster.BootstrapServers)).Build();
        foreach (var (key, value) in messages)
        {
            await producer.ProduceAsync(Defaults.TransactionsTopic, new Message<string, string> { Key = key, Value = value });
        }
    }

    // The host's listener reads values as strings (UTF-8) and serialises each KafkaEventData for a string[] trigger.
    private string[] ConsumeAsEnvelopes(int count)
    {
        var config = KafkaClientConfig.Consumer(_cluster.BootstrapServers, "functions-e2e");
        using var consumer = new ConsumerBuilder<string?, string?>(config).Build();
        consumer.Assign(Enumerable.Range(0, 3).Select(p => new TopicPartitionOffset(Defaults.TransactionsTopic, p, Offset.Beginning)));
        var events = new List<string>(count);
        var stopAt = DateTime.UtcNow + Deadline;
        while (events.Count < count && DateTime.UtcNow < stopAt)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result?.Message is { } message)
            {
                events.Add(Events.Envelope(result.Partition.Value, result.Offset.Value, message.Value,
                    message.Timestamp.UtcDateTime, message.Key, result.Topic));
            }
        }

        consumer.Close();
        Assert.Equal(count, events.Count);
        return [.. events];
    }

    private List<string> ConsumeDeadLetterReasons(int count)
    {
        var config = KafkaClientConfig.Consumer(_cluster.BootstrapServers, "functions-e2e-dlq");
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
        consumer.Assign(Enumerable.Range(0, 3).Select(p => new TopicPartitionOffset(Defaults.DeadLetterTopic, p, Offset.Beginning)));
        var reasons = new List<string>();
        var stopAt = DateTime.UtcNow + Deadline;
        while (reasons.Count < count && DateTime.UtcNow < stopAt)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result?.Message is { } message)
            {
                reasons.Add(Encoding.UTF8.GetString(message.Headers.GetLastBytes(KafkaDeadLetterPublisher.ReasonHeader)));
            }
        }

        consumer.Close();
        return reasons;
    }
}
