using Ecommerce.Pipeline.Core.Processing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ecommerce.Pipeline.Hosting;

/// <summary>
/// Builds the pipeline (<see cref="PipelineFactory"/>: the sink with its start-up checks, the dead-letter producer,
/// the handler) when the host starts. A warehouse that cannot be opened, or a BigQuery dataset that is missing,
/// then stops the host at once, visible as a crash loop, instead of failing and retrying every batch forever.
/// </summary>
internal sealed class PipelineWarmupService(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetRequiredService<TransactionBatchHandler>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
