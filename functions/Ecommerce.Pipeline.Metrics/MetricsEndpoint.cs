using Prometheus;

namespace Ecommerce.Pipeline.Metrics;

/// <summary>Serves <c>/metrics</c> in the Prometheus text format on all interfaces.</summary>
public static class MetricsEndpoint
{
    /// <summary>Starts the endpoint; port 0 means "no endpoint". Dispose the result to stop it.</summary>
    public static IDisposable Start(int port)
    {
        if (port == 0)
        {
            return new NoEndpoint();
        }

        // The runtime's EventCounters and Meters come out with names Prometheus's lint rejects ("_count" gauges,
        // "_total" gauges) and no dashboard reads them; process_* metrics stay. Effective before the first scrape.
        Prometheus.Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions
        {
            SuppressEventCounters = true,
            SuppressMeters = true,
            SuppressProcessMetrics = false,
            SuppressDebugMetrics = false,
        });
        var server = new KestrelLessMetricServer(port);
        return server;
    }

    private sealed class NoEndpoint : IDisposable
    {
        public void Dispose()
        {
        }
    }

    /// <summary>prometheus-net's HttpListener server; "+" binds every interface (pods are scraped on their IP).</summary>
    private sealed class KestrelLessMetricServer : IDisposable
    {
        private readonly MetricServer _server;

        public KestrelLessMetricServer(int port)
        {
            _server = new MetricServer(hostname: "+", port: port);
            _server.Start();
        }

        public void Dispose() => _server.Dispose();
    }
}
