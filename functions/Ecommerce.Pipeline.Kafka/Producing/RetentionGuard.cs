using Ecommerce.Pipeline.Kafka.Embedded;

namespace Ecommerce.Pipeline.Kafka.Producing;

/// <summary>Whether a planned run could outgrow what a bounded broker keeps, and the warning to print if so.</summary>
/// <param name="PlannedMessages">Messages the run will produce; <c>null</c> when unbounded.</param>
/// <param name="Capacity">Messages the topic keeps in all (partitions × per-partition limit).</param>
/// <param name="MayExceed">An unconsumed backlog of the planned size would lose its oldest messages.</param>
/// <param name="Warning">A one-line warning when <see cref="MayExceed"/>; else <c>null</c>.</param>
public sealed record RetentionCheck(long? PlannedMessages, long Capacity, bool MayExceed, string? Warning);

/// <summary>
/// Warns before a run whose backlog could exceed retention: the embedded broker keeps only
/// <see cref="EmbeddedKafkaCluster.RetainedMessagesPerPartition"/> messages per partition and silently drops the
/// oldest beyond that, so a producer running ahead of (or without) a consumer loses data.
/// </summary>
public static class RetentionGuard
{
    /// <summary>
    /// Keyed messages do not spread perfectly: the busiest partition fills first. Warn once the plan reaches
    /// this share of the total capacity.
    /// </summary>
    public const double SkewHeadroom = 0.9;

    /// <summary>Messages a run plans to send: the count, or rate × duration, whichever is smaller; <c>null</c> if unbounded.</summary>
    public static long? PlannedMessages(long? count, TimeSpan? duration, double? rate)
    {
        long? byTime = duration is { } d && rate is > 0 ? (long)Math.Ceiling(rate.Value * d.TotalSeconds) : null;
        return (count, byTime) switch
        {
            ({ } c, { } t) => Math.Min(c, t),
            ({ } c, null) => c,
            (null, { } t) => t,
            _ => null,
        };
    }

    /// <param name="partitions">Partitions of the topic.</param>
    /// <param name="plannedMessages">From <see cref="PlannedMessages"/>; <c>null</c> for an unbounded run.</param>
    /// <param name="retainedMessagesPerPartition">The broker's per-partition limit (the embedded cluster's by default).</param>
    public static RetentionCheck Check(
        int partitions,
        long? plannedMessages,
        long retainedMessagesPerPartition = EmbeddedKafkaCluster.RetainedMessagesPerPartition)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(retainedMessagesPerPartition, 1);
        var capacity = partitions * retainedMessagesPerPartition;
        if (plannedMessages is not { } planned)
        {
            return new RetentionCheck(null, capacity, true,
                $"An unbounded run can outgrow the broker's retention (about {capacity:N0} messages over {partitions} partitions); "
                + "messages not consumed in time are lost.");
        }

        var mayExceed = planned >= capacity * SkewHeadroom;
        return new RetentionCheck(planned, capacity, mayExceed, mayExceed
            ? $"{planned:N0} messages can exceed the broker's retention (about {capacity:N0} over {partitions} partitions, "
              + $"{retainedMessagesPerPartition:N0} each); messages not consumed in time are lost."
            : null);
    }

    /// <summary>Convenience: <see cref="Check(int, long?, long)"/> for produce options.</summary>
    public static RetentionCheck Check(
        int partitions,
        ProduceOptions options,
        long retainedMessagesPerPartition = EmbeddedKafkaCluster.RetainedMessagesPerPartition)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Check(partitions, PlannedMessages(options.Count, options.Duration, options.Rate), retainedMessagesPerPartition);
    }
}
