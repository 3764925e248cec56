using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.Metrics;
using Microsoft.ApplicationInsights;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ecommerce.Pipeline.Functions;

/// <summary>Application Insights for the app, only when a connection string is configured.</summary>
public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// With <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> set: the worker's Application Insights telemetry, and pipeline
    /// metrics sent both to Prometheus and to Application Insights. Without it: nothing (Prometheus only, registered
    /// by the pipeline). Call before <c>AddTransactionPipeline</c>, whose registrations yield to these.
    /// </summary>
    public static IServiceCollection AddPipelineTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (string.IsNullOrWhiteSpace(configuration[SettingNames.ApplicationInsightsConnectionString]))
        {
            return services;
        }

        services.AddApplicationInsightsTelemetryWorkerService();
        services.ConfigureFunctionsApplicationInsights();
        services.TryAddSingleton<IPipelineMetrics>(sp => new FanOutPipelineMetrics(
            PrometheusPipelineMetrics.Instance,
            new ApplicationInsightsPipelineMetrics(sp.GetRequiredService<TelemetryClient>())));
        return services;
    }
}

/// <summary>
/// Custom metrics in Application Insights, named like their Prometheus twins (docs/contract.md, "Metrics"): batch size, rows stored,
/// dead letters by reason, duplicates, sink errors. Pre-aggregated by the SDK, so per-batch calls cost little.
/// </summary>
public sealed class ApplicationInsightsPipelineMetrics(TelemetryClient client) : IPipelineMetrics
{
    private readonly Metric _batchSize = client.GetMetric("pipeline_batch_size");
    private readonly Metric _rows = client.GetMetric("pipeline_rows_written", "sink");
    private readonly Metric _deadLetters = client.GetMetric("pipeline_dead_letters", "reason");
    private readonly Metric _duplicates = client.GetMetric("pipeline_duplicates");
    private readonly Metric _sinkWrite = client.GetMetric("pipeline_sink_write_duration_seconds", "sink");
    private readonly Metric _sinkErrors = client.GetMetric("pipeline_sink_errors", "sink", "kind");
    private readonly Metric _sinkRetries = client.GetMetric("pipeline_sink_retries", "sink");
    private readonly Metric _sinkWaits = client.GetMetric("pipeline_sink_wait_seconds", "sink", "reason");

    public void BatchConsumed(int messages) => _batchSize.TrackValue(messages);

    public void RowsWritten(string sink, int rows) => _rows.TrackValue(rows, sink);

    public void DeadLetters(IReadOnlyList<DeadLetter> deadLetters)
    {
        ArgumentNullException.ThrowIfNull(deadLetters);
        foreach (var group in deadLetters.GroupBy(d => d.Reason))
        {
            _deadLetters.TrackValue(group.Count(), group.Key.ToCode());
        }
    }

    public void Duplicates(int count) => _duplicates.TrackValue(count);

    public void SinkWrite(string sink, TimeSpan duration) => _sinkWrite.TrackValue(duration.TotalSeconds, sink);

    public void SinkError(string sink, string kind) => _sinkErrors.TrackValue(1, sink, kind);

    public void SinkRetry(string sink) => _sinkRetries.TrackValue(1, sink);

    public void SinkWait(string sink, string reason, TimeSpan delay) => _sinkWaits.TrackValue(delay.TotalSeconds, sink, reason);

    // Per-row latency stays in the Prometheus histogram; Application Insights has the request duration.
    public void EndToEndLatency(IReadOnlyList<TransactionRow> rows, DateTimeOffset storedAt)
    {
    }
}

/// <summary>Sends each call to every target, in order.</summary>
public sealed class FanOutPipelineMetrics(params IPipelineMetrics[] targets) : IPipelineMetrics
{
    public void BatchConsumed(int messages) => Each(m => m.BatchConsumed(messages));
    public void RowsWritten(string sink, int rows) => Each(m => m.RowsWritten(sink, rows));
    public void DeadLetters(IReadOnlyList<DeadLetter> deadLetters) => Each(m => m.DeadLetters(deadLetters));
    public void Duplicates(int count) => Each(m => m.Duplicates(count));
    public void SinkWrite(string sink, TimeSpan duration) => Each(m => m.SinkWrite(sink, duration));
    public void SinkError(string sink, string kind) => Each(m => m.SinkError(sink, kind));
    public void SinkRetry(string sink) => Each(m => m.SinkRetry(sink));
    public void SinkWait(string sink, string reason, TimeSpan delay) => Each(m => m.SinkWait(sink, reason, delay));
    public void EndToEndLatency(IReadOnlyList<TransactionRow> rows, DateTimeOffset storedAt) =>
        Each(m => m.EndToEndLatency(rows, storedAt));

    private void Each(Action<IPipelineMetrics> call)
    {
        foreach (var target in targets)
        {
            call(target);
        }
    }
}
