using Ecommerce.Pipeline.Core.Geo;
using Ecommerce.Pipeline.Core.Processing;
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
    /// <see cref="BatchProcessor"/>, the Prometheus metrics, and the parts <see cref="PipelineFactory"/> builds
    /// (the sink named by the <c>Sink</c> setting, the Kafka dead-letter publisher and
    /// <see cref="TransactionBatchHandler"/>), all singletons (each is thread-safe), and a hosted service that builds
    /// them when the host starts, so a sink that cannot open, or a BigQuery dataset that is missing, stops the host.
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

        // The container disposes the parts at shutdown: the publisher flushes its producer, the sink's DisposeAsync
        // commits and closes the file. A DI factory cannot await, and this runs once, at host start (warm-up).
        services.TryAddSingleton(sp => PipelineFactory.BuildAsync(
                settings,
                sp.GetRequiredService<IPipelineMetrics>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<BatchProcessor>(),
                loggers: sp.GetService<Microsoft.Extensions.Logging.ILoggerFactory>())
            .GetAwaiter().GetResult());
        services.TryAddSingleton(sp => sp.GetRequiredService<PipelineParts>().Sink);
        services.TryAddSingleton(sp => sp.GetRequiredService<PipelineParts>().Publisher);
        services.TryAddSingleton(sp => sp.GetRequiredService<PipelineParts>().Handler);
        services.AddHostedService<PipelineWarmupService>();
        return services;
    }

    /// <summary>
    /// Serves the Prometheus text format on <see cref="PipelineSettings.MetricsPort"/> while the host runs
    /// (docs/contract.md, Metrics), for clusters without Application Insights. Call after
    /// <see cref="AddTransactionPipeline"/>.
    /// </summary>
    public static IServiceCollection AddPrometheusEndpoint(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddHostedService<MetricsEndpointService>();
        return services;
    }
}
