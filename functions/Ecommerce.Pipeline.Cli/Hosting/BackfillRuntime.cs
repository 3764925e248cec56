using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.Hosting;
using Ecommerce.Pipeline.Kafka.Backfill;
using Microsoft.Extensions.Logging;

namespace Ecommerce.Pipeline.Cli.Hosting;

/// <summary>
/// <c>pipeline backfill</c>'s runner with the same sink, dead-letter publisher and batch handler as <c>process</c>
/// (both built by <see cref="PipelineFactory"/>), so a replayed message is treated exactly like a live one. A dry run
/// opens neither the sink nor the publisher: it writes nothing anywhere.
/// </summary>
internal sealed class BackfillRuntime : IAsyncDisposable
{
    private readonly PipelineParts? _parts;

    private BackfillRuntime(BackfillRunner runner, PipelineParts? parts)
    {
        Runner = runner;
        _parts = parts;
    }

    public BackfillRunner Runner { get; }

    /// <summary>The runner on <paramref name="options"/> with the settings' Kafka security; with the pipeline unless a dry run.</summary>
    public static async Task<BackfillRuntime> StartAsync(PipelineSettings settings, BackfillOptions options, bool dryRun,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        options = options with { Security = settings.KafkaSecurity };
        if (dryRun)
        {
            return new BackfillRuntime(new BackfillRunner(options, loggers.CreateLogger<BackfillRunner>()), null);
        }

        var parts = await CliPipeline.BuildAsync(settings, NullPipelineMetrics.Instance, null, cancellationToken);
        try
        {
            return new BackfillRuntime(new BackfillRunner(options, parts.Handler, loggers.CreateLogger<BackfillRunner>()), parts);
        }
        catch
        {
            await parts.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_parts is not null)
        {
            await _parts.DisposeAsync();
        }
    }
}
