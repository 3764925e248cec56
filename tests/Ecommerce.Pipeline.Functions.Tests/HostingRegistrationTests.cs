using System.Globalization;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.Hosting;
using Ecommerce.Pipeline.Metrics;
using Microsoft.ApplicationInsights;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ecommerce.Pipeline.Functions.Tests;

public sealed class HostingRegistrationTests
{
    [Fact]
    public void Settings_take_the_contract_defaults()
    {
        var settings = PipelineSettings.From(Config((SettingNames.KafkaBrokerList, "b:1")));

        Assert.Equal(new PipelineSettings("b:1", Defaults.TransactionsTopic, Defaults.DeadLetterTopic, Defaults.ConsumerGroup,
            Defaults.Sink, Defaults.DuckDbPath, Defaults.MetricsPort), settings);
    }

    [Fact]
    public void A_missing_broker_list_stops_the_host_with_the_setting_name()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddTransactionPipeline(Config()));

        Assert.Contains(SettingNames.KafkaBrokerList, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bigquery", "needs the settings 'BigQuery__ProjectId' and 'BigQuery__DatasetId'")]
    [InlineData("BigQuery", "needs the settings 'BigQuery__ProjectId' and 'BigQuery__DatasetId'")]
    [InlineData("oracle", "must be 'duckdb' or 'bigquery'")]
    public void A_sink_without_its_settings_stops_the_host_at_startup(string sink, string message)
    {
        var configuration = Config((SettingNames.KafkaBrokerList, "b:1"), (SettingNames.Sink, sink));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddTransactionPipeline(configuration));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("70000")]
    [InlineData("abc")]
    public void A_bad_metrics_port_is_refused(string port) =>
        Assert.Throws<InvalidOperationException>(() =>
            PipelineSettings.From(Config((SettingNames.KafkaBrokerList, "b:1"), (PipelineSettings.MetricsPortSetting, port))));

    [Fact]
    public void The_duckdb_memory_limit_has_a_bounded_default_and_takes_a_size()
    {
        Assert.Equal("256MB", PipelineSettings.From(Config((SettingNames.KafkaBrokerList, "b:1"))).DuckDbMemoryLimit);
        Assert.Equal("1GiB",
            PipelineSettings.From(Config((SettingNames.KafkaBrokerList, "b:1"), (SettingNames.DuckDbMemoryLimit, " 1GiB "))).DuckDbMemoryLimit);
    }

    [Theory]
    [InlineData("256")]
    [InlineData("lots")]
    [InlineData("80%")]
    public void A_memory_limit_without_a_unit_is_refused_with_the_setting_name(string limit)
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            PipelineSettings.From(Config((SettingNames.KafkaBrokerList, "b:1"), (SettingNames.DuckDbMemoryLimit, limit))));

        Assert.Contains("'DuckDbMemoryLimit'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_watermark_trust_window_defaults_to_five_seconds_and_takes_seconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), PipelineSettings.From(Config((SettingNames.KafkaBrokerList, "b:1"))).BigQueryWatermarkTrust);
        Assert.Equal(TimeSpan.FromSeconds(2.5),
            PipelineSettings.From(Config((SettingNames.KafkaBrokerList, "b:1"), (SettingNames.BigQueryWatermarkTrust, " 2.5 "))).BigQueryWatermarkTrust);
        Assert.Equal(TimeSpan.Zero,
            PipelineSettings.From(Config((SettingNames.KafkaBrokerList, "b:1"), (SettingNames.BigQueryWatermarkTrust, "0"))).BigQueryWatermarkTrust);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("46")]
    [InlineData("00:00:05")]
    [InlineData("5s")]
    public void A_bad_watermark_trust_window_is_refused_with_the_setting_name(string trust)
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            PipelineSettings.From(Config((SettingNames.KafkaBrokerList, "b:1"), (SettingNames.BigQueryWatermarkTrust, trust))));

        Assert.Contains("'BigQuery__WatermarkTrust' must be a number of seconds", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_connection_string_metrics_go_to_prometheus_only()
    {
        var configuration = Config((SettingNames.KafkaBrokerList, "b:1"), (PipelineSettings.MetricsPortSetting, "0"));
        var services = new ServiceCollection().AddPipelineTelemetry(configuration).AddTransactionPipeline(configuration);

        using var provider = services.BuildServiceProvider();

        Assert.Same(PrometheusPipelineMetrics.Instance, provider.GetRequiredService<IPipelineMetrics>());
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(TelemetryClient));
    }

    [Fact]
    public void With_a_connection_string_application_insights_and_the_fan_out_metrics_are_registered()
    {
        var configuration = Config(
            (SettingNames.KafkaBrokerList, "b:1"),
            (SettingNames.ApplicationInsightsConnectionString, "InstrumentationKey=00000000-0000-0000-0000-000000000000"));
        var services = new ServiceCollection().AddPipelineTelemetry(configuration).AddTransactionPipeline(configuration);

        Assert.Contains(services, d => d.ServiceType == typeof(TelemetryClient));
        var metrics = Assert.Single(services, d => d.ServiceType == typeof(IPipelineMetrics));
        Assert.NotNull(metrics.ImplementationFactory);
    }

    [Fact]
    public async Task Starting_the_host_opens_the_warehouse_and_serves_the_contract_metrics()
    {
        var port = FreePort();
        var directory = Directory.CreateTempSubdirectory("functions-host-").FullName;
        var databasePath = Path.Combine(directory, "warehouse.duckdb");
        var configuration = Config(
            (SettingNames.KafkaBrokerList, "127.0.0.1:1"),
            (SettingNames.DuckDbPath, databasePath),
            (PipelineSettings.MetricsPortSetting, port.ToString(CultureInfo.InvariantCulture)));
        var provider = new ServiceCollection().AddLogging().AddTransactionPipeline(configuration).AddPrometheusEndpoint()
            .BuildServiceProvider();
        await using (provider.ConfigureAwait(false))
        {
            var hosted = provider.GetServices<IHostedService>().ToList();
            Assert.Equal(2, hosted.Count);
            PrometheusPipelineMetrics.Instance.BatchConsumed(3);
            Assert.False(File.Exists(databasePath));

            foreach (var service in hosted)
            {
                await service.StartAsync(CancellationToken.None);
            }

            try
            {
                Assert.True(File.Exists(databasePath));
                using var http = new HttpClient();
                var text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
                Assert.Contains("pipeline_messages_consumed_total", text, StringComparison.Ordinal);
                Assert.Contains("pipeline_batch_size_bucket", text, StringComparison.Ordinal);
            }
            finally
            {
                foreach (var service in hosted)
                {
                    await service.StopAsync(CancellationToken.None);
                }
            }
        }

        Directory.Delete(directory, recursive: true);
    }

    internal static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build();
}
