using System.Runtime.ExceptionServices;
using Ecommerce.Pipeline.Core.Processing;
using Microsoft.Extensions.Logging;

namespace Ecommerce.Pipeline.Kafka.Consuming;

/// <summary>
/// Tells an <see cref="IPartitionAwareSink"/> about ownership changes, from inside librdkafka's rebalance callbacks
/// (on the consume thread, so blocking there is what orders the call before any record of an assigned partition is
/// handed over). A failed assignment call is kept in <see cref="Failure"/> for the session to stop with: a sink that
/// missed an assignment could trust state another member has moved past. A failed release is only logged: the sink
/// is told again on the next assignment, which resets what it kept.
/// </summary>
internal sealed class PartitionHooks(IPartitionAwareSink? sink, ILogger logger)
{
    public bool Active => sink is not null;

    /// <summary>The first assignment call that failed, if any.</summary>
    public ExceptionDispatchInfo? Failure { get; private set; }

    public bool Assigned(IReadOnlyCollection<int> partitions, CancellationToken cancellationToken)
    {
        if (sink is null || partitions.Count == 0)
        {
            return true;
        }

        try
        {
            sink.PartitionsAssignedAsync(partitions, cancellationToken).GetAwaiter().GetResult();
            return true;
        }
#pragma warning disable CA1031 // Kept and rethrown by the session once the consumer is shut down.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Failure ??= ExceptionDispatchInfo.Capture(ex);
            return false;
        }
    }

    public void Released(IReadOnlyCollection<int> partitions, CancellationToken cancellationToken)
    {
        if (sink is null || partitions.Count == 0)
        {
            return;
        }

        try
        {
            sink.PartitionsReleasedAsync(partitions, cancellationToken).GetAwaiter().GetResult();
        }
#pragma warning disable CA1031 // Losing the release is harmless (see the class comment); the loop must go on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            StreamProcessorLog.ReleaseFailed(logger, ex, partitions);
        }
    }
}
