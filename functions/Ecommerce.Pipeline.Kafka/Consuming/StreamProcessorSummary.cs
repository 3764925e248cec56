namespace Ecommerce.Pipeline.Kafka.Consuming;

/// <summary>Why <see cref="StreamProcessor.RunAsync"/> returned.</summary>
public enum StreamProcessorStopReason
{
    /// <summary>The caller's token was cancelled (SIGINT/SIGTERM in the hosts).</summary>
    Cancelled,

    /// <summary>No message arrived for <see cref="StreamProcessorOptions.UntilIdle"/> and everything read was stored and committed.</summary>
    Idle,
}

/// <summary>Totals of one run of the consume loop.</summary>
public sealed record StreamProcessorSummary(
    StreamProcessorStopReason Reason,
    long Consumed,
    long Stored,
    long DeadLetters,
    long Duplicates,
    long Batches,
    long SinkRetries,
    long Commits,
    TimeSpan Elapsed);
