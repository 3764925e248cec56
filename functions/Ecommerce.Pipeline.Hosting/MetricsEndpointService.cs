using Ecommerce.Pipeline.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ecommerce.Pipeline.Hosting;

/// <summary>Starts <see cref="MetricsEndpoint"/> with the host and stops it with the host.</summary>
internal sealed partial class MetricsEndpointService(PipelineSettings settings, ILogger<MetricsEndpointService> logger)
    : IHostedService, IDisposable
{
    private IDisposable? _endpoint;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _endpoint = MetricsEndpoint.Start(settings.MetricsPort);
        if (settings.MetricsPort != 0)
        {
            LogServing(logger, settings.MetricsPort);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _endpoint?.Dispose();
        _endpoint = null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Prometheus metrics on http://+:{Port}/metrics")]
    private static partial void LogServing(ILogger logger, int port);
}
