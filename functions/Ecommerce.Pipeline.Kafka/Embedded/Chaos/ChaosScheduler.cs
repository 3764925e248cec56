using System.Diagnostics;
using System.Globalization;

namespace Ecommerce.Pipeline.Kafka.Embedded.Chaos;

/// <summary>
/// Applies a <see cref="ChaosSpec"/> to a running <see cref="EmbeddedKafkaCluster"/>, each step at its time since the
/// cluster started, and reports each as it is applied: <c>chaos 10.0s: down 2</c>.
/// </summary>
public sealed class ChaosScheduler(EmbeddedKafkaCluster cluster, ChaosSpec spec, string consumerGroup, Action<string> report)
{
    private string? _lastFault;

    /// <summary>The line of the last step applied (<c>10.0s: down 2</c>), or null before the first.</summary>
    public string? LastFault => Volatile.Read(ref _lastFault);

    /// <summary>Runs until every step is applied (never, for a random mix) or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            foreach (var step in spec.Schedule(cluster.BrokerCount, cluster.TransactionsPartitions))
            {
                var wait = step.At - Stopwatch.GetElapsedTime(cluster.StartedAt);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                }

                var at = Stopwatch.GetElapsedTime(cluster.StartedAt);
                var line = string.Create(CultureInfo.InvariantCulture, $"{at.TotalSeconds:F1}s: {step.Text}");
                try
                {
                    Apply(step);
                    Volatile.Write(ref _lastFault, line);
                    report($"chaos {line}");
                }
                catch (InvalidOperationException ex)
                {
                    report($"chaos {line} failed: {ex.Message}");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Does one step to the cluster now.</summary>
    public void Apply(ChaosStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        switch (step.Action)
        {
            case ChaosAction.Down:
                cluster.SetBrokerDown(step.Broker);
                break;
            case ChaosAction.Up:
                cluster.SetBrokerUp(step.Broker);
                break;
            case ChaosAction.Rtt:
                cluster.SetBrokerRtt(step.Broker, step.Milliseconds);
                break;
            case ChaosAction.Leader:
                var partitions = step.Partition is { } p ? [p] : Enumerable.Range(0, cluster.TransactionsPartitions);
                foreach (var partition in partitions)
                {
                    cluster.SetPartitionLeader(EmbeddedKafkaCluster.TransactionsTopic, partition, step.Broker);
                }

                break;
            case ChaosAction.Coordinator:
                cluster.SetGroupCoordinator(consumerGroup, step.Broker);
                break;
            case ChaosAction.Errors:
                // N requests, the codes taken in turn.
                cluster.PushRequestErrors(step.ApiKey, [.. Enumerable.Range(0, step.Count).Select(i => step.ErrorCodes[i % step.ErrorCodes.Count])]);
                break;
            case ChaosAction.Delay:
                for (var i = 0; i < step.Count; i++)
                {
                    cluster.PushBrokerRequestError(step.Broker, step.ApiKey, 0, step.Milliseconds);
                }

                break;
            case ChaosAction.TopicError:
                cluster.SetTopicError(EmbeddedKafkaCluster.TransactionsTopic, step.ErrorCodes[0]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(step), step.Action, "unknown chaos action");
        }
    }
}
