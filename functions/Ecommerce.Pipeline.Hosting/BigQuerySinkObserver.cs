using Ecommerce.Pipeline.BigQuery.Rest;
using Ecommerce.Pipeline.Core.Processing;
using Microsoft.Extensions.Logging;

namespace Ecommerce.Pipeline.Hosting;

/// <summary>
/// Where the BigQuery sink's waits and notices go: a warning in the log (what is waited for, and how long) and
/// <c>pipeline_sink_waits_total</c> / <c>pipeline_sink_wait_seconds_total</c> by reason (docs/contract.md, Metrics).
/// </summary>
internal sealed partial class BigQuerySinkObserver(IPipelineMetrics metrics, ILogger logger) : IBigQueryObserver
{
    public const string Sink = "bigquery";

    public void Waiting(string reason, string detail, TimeSpan delay)
    {
        metrics.SinkWait(Sink, reason, delay);
        LogWaiting(logger, reason, delay.TotalSeconds, detail);
    }

    public void Notice(string message) => LogNotice(logger, message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "BigQuery sink waiting ({Reason}) {Seconds:0.0}s: {Detail}")]
    private static partial void LogWaiting(ILogger logger, string reason, double seconds, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "BigQuery sink: {Message}")]
    private static partial void LogNotice(ILogger logger, string message);
}
