using Ecommerce.Pipeline.Kafka.Consuming;

namespace Ecommerce.Pipeline.IntegrationTests.Support;

/// <summary>How far a consumer group has committed, read from the broker the way KEDA reads lag.</summary>
internal sealed class GroupProgress(string bootstrapServers, string group, string topic = "transactions_stream") : IDisposable
{
    private readonly ConsumerLagReader _reader = new(bootstrapServers, group);

    public long Committed()
    {
        var lag = _reader.Read(topic, TimeSpan.FromSeconds(10));
        return lag.Partitions.Sum(p => p.CommittedOffset ?? 0);
    }

    public long Lag() => _reader.Read(topic, TimeSpan.FromSeconds(10)).Total;

    /// <summary>Polls until the group committed at least <paramref name="target"/> offsets in total.</summary>
    public async Task WaitForCommittedAsync(long target, PipelineProcess process, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (Committed() < target)
        {
            if (!await timer.WaitForNextTickAsync(cts.Token).AsTask().ContinueWith(t => !t.IsCanceled, TaskScheduler.Default))
            {
                throw new TimeoutException($"group '{group}' did not commit {target} within {timeout}.\nstderr:\n{process.Stderr}");
            }
        }
    }

    public void Dispose() => _reader.Dispose();
}
