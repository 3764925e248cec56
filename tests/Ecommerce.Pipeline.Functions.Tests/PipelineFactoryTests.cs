using System.Text;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.DuckDb;
using Ecommerce.Pipeline.Hosting;
using Ecommerce.Pipeline.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ecommerce.Pipeline.Functions.Tests;

/// <summary>The one composition root with the DuckDB sink (the BigQuery side runs against the stand-in in BigQuery.Tests).</summary>
public sealed class PipelineFactoryTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pipeline-factory-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Building_opens_the_warehouse_and_the_handler_stores_into_it()
    {
        var path = Path.Combine(_directory, "w.duckdb");
        Assert.False(File.Exists(path));

        await using (var parts = await PipelineFactory.BuildAsync(Settings(path), NullPipelineMetrics.Instance))
        {
            // The start-up check ran: the file and its tables exist before any batch.
            Assert.True(File.Exists(path));
            Assert.Equal("duckdb", parts.Sink.Name);
            Assert.Same(parts.Sink, parts.Handler.Sink);

            var value = Encoding.UTF8.GetBytes(Events.Transaction("tx-factory-1", DateTimeOffset.UtcNow));
            var outcome = await parts.Handler.HandleAsync(
                [new RawRecord(Encoding.UTF8.GetBytes("user-1"), value, Events.Topic, 0, 0, DateTimeOffset.UtcNow)],
                CancellationToken.None);
            Assert.Equal((1, 1, 0), (outcome.Consumed, outcome.RowsInserted, outcome.DeadLetters));
        }

        using var runner = DuckDbQueryRunner.Open(path);
        var result = runner.Execute("SELECT transaction_id FROM transactions");
        Assert.Equal("tx-factory-1", Assert.Single(result.Rows)[0]);
    }

    [Fact]
    public async Task A_warehouse_of_another_shape_fails_at_build_time()
    {
        var path = Path.Combine(_directory, "other.duckdb");
        using (var connection = new DuckDB.NET.Data.DuckDBConnection("Data Source=" + path))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE transactions (id INTEGER)";
            command.ExecuteNonQuery();
        }

        var error = await Assert.ThrowsAsync<WarehouseException>(() =>
            PipelineFactory.BuildAsync(Settings(path), NullPipelineMetrics.Instance));

        Assert.Contains("does not match the pipeline schema", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_check_before_the_kafka_clients_closes_the_sink_again()
    {
        var path = Path.Combine(_directory, "w.duckdb");

        await Assert.ThrowsAsync<TimeoutException>(() => PipelineFactory.BuildAsync(Settings(path), NullPipelineMetrics.Instance,
            beforeKafkaClients: () => throw new TimeoutException("cluster unreachable")));

        // Released: a read-only handle opens, which DuckDB refuses while this process still holds the file read-write.
        using var runner = DuckDbQueryRunner.Open(path);
        Assert.Empty(runner.Execute("SELECT * FROM transactions").Rows);
    }

    [Fact]
    public async Task The_function_app_warm_up_stops_the_host_when_the_warehouse_cannot_open()
    {
        // A directory where the file should be: DuckDB cannot open it.
        var path = Path.Combine(_directory, "is-a-directory.duckdb");
        Directory.CreateDirectory(path);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [SettingNames.KafkaBrokerList] = "127.0.0.1:1",
            [SettingNames.DuckDbPath] = path,
            [PipelineSettings.MetricsPortSetting] = "0",
        }).Build();
        await using var provider = new ServiceCollection().AddTransactionPipeline(configuration).BuildServiceProvider();

        var warmUp = Assert.Single(provider.GetServices<IHostedService>());

        await Assert.ThrowsAsync<WarehouseException>(() => warmUp.StartAsync(CancellationToken.None));
    }

    [Fact]
    public void Settings_carry_the_kafka_security_and_the_sinks_overlapping_writes()
    {
        var settings = PipelineSettings.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [SettingNames.KafkaBrokerList] = "b:1",
            [SettingNames.Sink] = "BIGQUERY",
            [SettingNames.BigQueryProjectId] = "p",
            [SettingNames.BigQueryDatasetId] = "d",
            [SettingNames.KafkaSaslMechanism] = "plaintext",
            [SettingNames.KafkaSaslUsername] = "pipeline",
            [SettingNames.KafkaSaslPassword] = "secret",
            [SettingNames.KafkaTls] = "enable",
        }).Build());

        // Exactly-once over the Storage Write API (the default) appends one batch at a time; insertAll and
        // at-least-once overlap four.
        Assert.Equal((SinkKind.BigQuery, 1), (settings.Sink, settings.MaxConcurrentWrites));
        Assert.Equal(4, (settings with { BigQueryWriteApi = Ecommerce.Pipeline.BigQuery.StorageWrite.WriteApi.InsertAll }).MaxConcurrentWrites);
        Assert.Equal(4, (settings with { BigQueryDelivery = Ecommerce.Pipeline.BigQuery.StorageWrite.DeliveryGuarantee.AtLeastOnce }).MaxConcurrentWrites);
        Assert.Equal((KafkaSaslMechanism.Plain, "pipeline", Confluent.Kafka.SecurityProtocol.SaslSsl),
            (settings.KafkaSecurity.Mechanism, settings.KafkaSecurity.Username, settings.KafkaSecurity.Protocol));
        Assert.Equal(1, (settings with { Sink = SinkKind.DuckDb }).MaxConcurrentWrites);
    }

    [Fact]
    public void Bad_kafka_security_stops_the_host_at_startup()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [SettingNames.KafkaBrokerList] = "b:1",
            [SettingNames.KafkaSaslMechanism] = "scram_sha512",
        }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddTransactionPipeline(configuration));

        Assert.Contains(SettingNames.KafkaSaslUsername, error.Message, StringComparison.Ordinal);
    }

    private static PipelineSettings Settings(string path) =>
        new("127.0.0.1:1", Defaults.TransactionsTopic, Defaults.DeadLetterTopic, Defaults.ConsumerGroup, SinkKind.DuckDb, path, 0);
}
