using Ecommerce.Pipeline.BigQuery.StorageWrite;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Ecommerce.Pipeline.BigQuery.Tests.Hosting;

/// <summary>
/// The one composition root with the BigQuery sink, against the stand-in: the tables are checked when the pipeline is
/// built, so a missing dataset stops the host at start instead of failing every batch.
/// </summary>
public sealed class PipelineFactoryTests : IAsyncLifetime
{
    private BigQueryStandIn _standIn = null!;

    public async Task InitializeAsync() => _standIn = await BigQueryStandIn.StartAsync();

    public async Task DisposeAsync()
    {
        Assert.Empty(_standIn.ContractViolations);
        await _standIn.DisposeAsync();
    }

    [Fact]
    public async Task Building_checks_and_creates_both_tables_before_any_write()
    {
        await using var parts = await PipelineFactory.BuildAsync(Settings(), NullPipelineMetrics.Instance);

        Assert.Equal("bigquery", parts.Sink.Name);
        Assert.Contains("ds.transactions", _standIn.Tables.Keys);
        Assert.Contains("ds.dead_letters", _standIn.Tables.Keys);
        Assert.Empty(_standIn.InsertAlls);
    }

    [Fact]
    public async Task The_sinks_waits_reach_the_metrics_and_the_log()
    {
        var metrics = new CountingMetrics();
        using var logs = new FakeLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        await using var parts = await PipelineFactory.BuildAsync(Settings(), metrics, loggers: loggers);
        _standIn.ThrottleInsertAlls(429, "rateLimitExceeded", 1);

        var written = await parts.Sink.WriteRowsAsync(TestData.Rows(3), CancellationToken.None);

        Assert.Equal(3, written.Inserted);
        var wait = Assert.Single(metrics.SinkWaits);
        Assert.Equal(("bigquery", "rate_limit_exceeded"), (wait.Sink, wait.Reason));
        Assert.InRange(wait.Delay, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(30));
        Assert.Contains(logs.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning
            && r.Message.StartsWith("BigQuery sink waiting (rate_limit_exceeded)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_write_api_setting_picks_the_storage_write_sink_by_default_and_insertall_on_request()
    {
        await using var storage = await StorageWriteStandIn.StartAsync(_standIn);
        var storageSettings = PipelineSettings.From(Configuration(
            (SettingNames.BigQueryWriteApi, " "), (SettingNames.BigQueryStorageEndpoint, storage.Endpoint.ToString())));
        await using (var parts = await PipelineFactory.BuildAsync(storageSettings, NullPipelineMetrics.Instance))
        {
            var sink = Assert.IsType<StorageWriteSink>(parts.Sink);
            Assert.Equal((DeliveryGuarantee.ExactlyOnce, storage.Endpoint), (sink.Options.Delivery, sink.Options.Endpoint));
            Assert.Equal((TimeSpan.FromSeconds(5), WatermarkPolicy.WhileContiguous), (sink.Options.WatermarkTrust, sink.Watermarks));
            var written = await parts.Sink.WriteRowsAsync(TestData.Rows(3), CancellationToken.None);
            Assert.Equal(3, written.Inserted);
        }

        await using (var parts = await PipelineFactory.BuildAsync(Settings(), NullPipelineMetrics.Instance))
        {
            Assert.IsType<BigQuerySink>(parts.Sink);
            await parts.Sink.WriteRowsAsync([TestData.Row(100), TestData.Row(101)], CancellationToken.None);
        }

        Assert.Equal(3, storage.RowsAppended);
        Assert.Single(_standIn.InsertAlls);
        Assert.Equal(5, _standIn.Rows["ds.transactions"].Count);
        Assert.Empty(storage.ContractViolations);
    }

    [Fact]
    public async Task A_missing_dataset_fails_at_build_time_not_at_the_first_write()
    {
        _standIn.Datasets.Clear();

        var error = await Assert.ThrowsAsync<SinkUnavailableException>(() =>
            PipelineFactory.BuildAsync(Settings(), NullPipelineMetrics.Instance));

        Assert.Contains("proj.ds.transactions cannot be created: dataset not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_function_app_warm_up_fails_at_start_for_a_missing_dataset()
    {
        _standIn.Datasets.Clear();
        await using var provider = new ServiceCollection().AddTransactionPipeline(Configuration()).BuildServiceProvider();
        var warmUp = Assert.Single(provider.GetServices<IHostedService>());

        await Assert.ThrowsAsync<SinkUnavailableException>(() => warmUp.StartAsync(CancellationToken.None));
        Assert.Empty(_standIn.InsertAlls);
    }

    // Moved from Functions.Tests' HostingRegistrationTests: resolving the sink now runs its start-up checks, which need
    // an endpoint that answers.
    [Fact]
    public async Task Sink_bigquery_registers_the_bigquery_sink_with_the_contract_settings()
    {
        var configuration = Configuration((SettingNames.BigQueryTableId, "tx"));
        var settings = PipelineSettings.From(configuration);
        Assert.Equal(("proj", "ds", "tx", _standIn.Endpoint),
            (settings.BigQueryProjectId, settings.BigQueryDatasetId, settings.BigQueryTableId, settings.BigQueryEndpoint));

        await using var provider = new ServiceCollection().AddTransactionPipeline(configuration).BuildServiceProvider();

        Assert.Equal("bigquery", provider.GetRequiredService<ITransactionSink>().Name);
        Assert.Contains("ds.tx", _standIn.Tables.Keys);
    }

    private PipelineSettings Settings() => PipelineSettings.From(Configuration());

    private IConfiguration Configuration(params (string Key, string Value)[] extra) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [SettingNames.KafkaBrokerList] = "127.0.0.1:1",
                [SettingNames.Sink] = "bigquery",
                [SettingNames.BigQueryProjectId] = "proj",
                [SettingNames.BigQueryDatasetId] = "ds",
                [SettingNames.BigQueryEndpoint] = _standIn.Endpoint.ToString(),
                [SettingNames.BigQueryWriteApi] = "insertall",
                [PipelineSettings.MetricsPortSetting] = "0",
            })
            .AddInMemoryCollection(extra.Select(e => new KeyValuePair<string, string?>(e.Key, e.Value)))
            .Build();
}

