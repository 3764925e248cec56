using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.Hosting;
using Microsoft.Extensions.Logging;

namespace Ecommerce.Pipeline.Cli.Hosting;

/// <summary><see cref="PipelineFactory"/> as the verbs call it: a sink that fails its start-up checks is one line, exit 1.</summary>
internal static class CliPipeline
{
    public static async Task<PipelineParts> BuildAsync(PipelineSettings settings, IPipelineMetrics metrics,
        Action? beforeKafkaClients, CancellationToken cancellationToken, ILoggerFactory? loggers = null)
    {
        try
        {
            return await PipelineFactory.BuildAsync(settings, metrics, beforeKafkaClients: beforeKafkaClients,
                loggers: loggers, cancellationToken: cancellationToken);
        }
        catch (SinkUnavailableException ex) when (settings.Sink == SinkKind.BigQuery)
        {
            // At start, say which warehouse refused (later, the processor's own message says so).
            throw new RuntimeFailureException($"BigQuery: {ex.Message}");
        }
    }
}
