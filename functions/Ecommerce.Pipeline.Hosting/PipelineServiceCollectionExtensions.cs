using Ecommerce.Pipeline.BigQuery;
using Ecommerce.Pipeline.BigQuery.Rest;
using Ecommerce.Pipeline.Core.Geo;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.Core.Schema;
using Ecommerce.Pipeline.DuckDb;
using Ecommerce.Pipeline.Kafka.DeadLetters;
using Ecommerce.Pipeline.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ecommerce.Pipeline.Hosting;

/// <summary>Registers the one batch pipeline every host runs.</summary>
public static class PipelineServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="PipelineSettings"/>, <see cref="TimeProvider"/>, <see cref="GeoResolver"/>,
    /// <see cref="BatchProcessor"/>, the sink named by the <c>Sink</c> setting, the Kafka dead-letter publisher,
    /// the Prometheus metrics and <see cref="TransactionBatchHandler"/>, all singletons (each is thread-safe), and a
    /// hosted service that builds the handler when the host starts, so a sink that cannot open stops the host.
    /// </summary>
    /// <exception cref="InvalidOperationException">The settings are invalid (e.g. <c>Sink=bigquery</c> without project/dataset).</exception>
    public static IServiceCollection AddTransactionPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        var settings = PipelineSettings.From(configuration);

        services.AddSingleton(settings);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => GeoResolver.Default);
        services.TryAddSingleton<IPipelineMetrics>(PrometheusPipelineMetrics.Instance);
        services.TryAddSingleton(sp => new BatchProcessor(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<GeoResolver>()));

        // The container disposes both at shutdown: the sink's DisposeAsync commits and closes the file, the
        // publisher flushes its producer.
        if (settings.Sink == PipelineSettings.BigQuerySink)
        {
            // The same sink as `pipeline process --sink bigquery`; with an endpoint (emulator) no credentials are used.
            services.AddBigQuerySink(
                new BigQuerySinkOptions
                {
                    ProjectId = settings.BigQueryProjectId!,
                    DatasetId = settings.BigQueryDatasetId!,
                    TableId = settings.BigQueryTableId ?? PipelineSchema.TransactionsTable,
                },
                new BigQueryClientOptions { Endpoint = settings.BigQueryEndpoint });
            services.TryAddSingleton<ITransactionSink>(sp => sp.GetRequiredService<BigQuerySink>());
        }
        else
        {
            services.TryAddSingleton<ITransactionSink>(_ => new DuckDbSink(settings.DuckDbPath));
        }

        services.TryAddSingleton<IDeadLetterPublisher>(_ =>
            new KafkaDeadLetterPublisher(settings.KafkaBrokerList, settings.DeadLetterTopic));
        services.TryAddSingleton(sp => new TransactionBatchHandler(
            sp.GetRequiredService<BatchProcessor>(),
            sp.GetRequiredService<ITransactionSink>(),
            sp.GetRequiredService<IDeadLetterPublisher>(),
            sp.GetRequiredService<IPipelineMetrics>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<PipelineWarmupService>();
        return services;
    }

    /// <summary>
    /// Serves the Prometheus text format on <see cref="PipelineSettings.MetricsPort"/> while the host runs
    /// (CONTRACT §5), for clusters without Application Insights. Call after <see cref="AddTransactionPipeline"/>.
    /// </summary>
    public static IServiceCollection AddPrometheusEndpoint(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddHostedService<MetricsEndpointService>();
        return services;
    }
}
