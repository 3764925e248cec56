using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Kafka.Embedded;
using Ecommerce.Pipeline.Kafka.Embedded.Chaos;

namespace Ecommerce.Pipeline.Cli.Hosting;

/// <summary>
/// <c>--chaos</c> of <c>broker</c> and <c>dev</c>: applies the SPEC's steps to the embedded cluster in the background,
/// each printed on stderr (<c>chaos 10.0s: down 2</c>), until disposed.
/// </summary>
internal sealed class ChaosRunner : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ChaosScheduler _scheduler;
    private readonly Task _run;

    private ChaosRunner(ChaosScheduler scheduler)
    {
        _scheduler = scheduler;
        _run = Task.Run(() => scheduler.RunAsync(_stop.Token));
    }

    /// <summary>The last step applied (<c>10.0s: down 2</c>), or null.</summary>
    public string? LastFault => _scheduler.LastFault;

    /// <summary>Starts the schedule, or returns null without a SPEC. A step that does not fit the cluster is a usage error.</summary>
    public static ChaosRunner? Start(EmbeddedKafkaCluster cluster, ChaosSpec? spec)
    {
        if (spec is null)
        {
            return null;
        }

        try
        {
            spec.Validate(cluster.BrokerCount, cluster.TransactionsPartitions);
        }
        catch (ChaosSpecException ex)
        {
            throw new UsageException(ex.Message);
        }

        // The group the processor uses on the embedded cluster (coordinator moves apply to it).
        return new ChaosRunner(new ChaosScheduler(cluster, spec, Defaults.ConsumerGroup, line => Console.Error.WriteLine(line)));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run;
        _stop.Dispose();
    }
}
