using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Kafka.Embedded;

namespace Ecommerce.Pipeline.Kafka.Producing;

/// <summary>
/// What <c>pipeline produce</c> asks for (docs/contract.md, CLI). The producer reads the topic, the limits, the rate and
/// the intervals; <see cref="BadRatio"/>, <see cref="Seed"/> and <see cref="FilePath"/> choose the source the caller
/// builds, and are validated here so every verb refuses the same contradictions.
/// </summary>
public sealed record ProduceOptions
{
    public string Topic { get; init; } = EmbeddedKafkaCluster.TransactionsTopic;

    /// <summary>Stop after this many messages.</summary>
    public long? Count { get; init; }

    /// <summary>Stop after this long. With <see cref="Count"/> too, whichever comes first.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Messages per second; <c>null</c> or 0 for as fast as the broker takes them.</summary>
    public double? Rate { get; init; }

    /// <summary>Share of synthetic messages (0..1) deliberately broken, cycling through every dead-letter reason.</summary>
    public double BadRatio { get; init; }

    public int Seed { get; init; }

    /// <summary>A JSON-lines file to replay instead of synthetic data; <c>-</c> is standard input.</summary>
    public string? FilePath { get; init; }

    /// <summary>How often progress is reported.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long to wait for the cluster's metadata before calling it unreachable.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws <see cref="ArgumentException"/> with a one-line message when the options contradict each other.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Topic))
        {
            throw new ArgumentException("The topic must not be empty.");
        }

        if (Count is <= 0)
        {
            throw new ArgumentException("--count must be positive.");
        }

        if (Duration is { } d && d <= TimeSpan.Zero)
        {
            throw new ArgumentException("--duration must be positive.");
        }

        if (Rate is { } r && (r < 0 || double.IsNaN(r) || double.IsInfinity(r)))
        {
            throw new ArgumentException("--rate must be zero (unlimited) or a positive number.");
        }

        if (BadRatio is < 0 or > 1 || double.IsNaN(BadRatio))
        {
            throw new ArgumentException("--bad-ratio must be between 0 and 1.");
        }

        if (FilePath is not null && BadRatio > 0)
        {
            throw new ArgumentException("--bad-ratio applies to synthetic data, not to --file.");
        }

        if (ProgressInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("The progress interval must be positive.");
        }
    }
}

/// <summary>A progress snapshot, reported a few times per second.</summary>
/// <param name="Sent">Messages handed to the client.</param>
/// <param name="Acknowledged">Messages the cluster acknowledged (acks=all).</param>
/// <param name="Failed">Messages whose delivery failed.</param>
/// <param name="Elapsed">Since the first message.</param>
/// <param name="CurrentRate">Messages sent per second over the last reporting interval.</param>
/// <param name="TargetCount">The message count asked for, if any (for a progress bar).</param>
/// <param name="TargetDuration">The duration asked for, if any.</param>
/// <param name="Flushing">Sending is over; waiting for the last acknowledgements.</param>
public readonly record struct ProduceProgress(
    long Sent,
    long Acknowledged,
    long Failed,
    TimeSpan Elapsed,
    double CurrentRate,
    long? TargetCount,
    TimeSpan? TargetDuration,
    bool Flushing);

/// <summary>The outcome of a produce run, once every message was acknowledged or failed.</summary>
/// <param name="Sent">Messages handed to the client.</param>
/// <param name="Acknowledged">Messages acknowledged by the cluster.</param>
/// <param name="Failed">Messages that could not be delivered (see <see cref="Errors"/>).</param>
/// <param name="InjectedBad">Deliberately bad synthetic messages sent, per expected dead-letter reason.</param>
/// <param name="Elapsed">The whole run, including the final flush.</param>
/// <param name="SendingElapsed">First to last message sent: the window the rate applies to.</param>
/// <param name="AchievedRate">Messages per second over <see cref="SendingElapsed"/>.</param>
/// <param name="Errors">Distinct delivery and client errors, first ones first (at most a handful).</param>
/// <param name="Cancelled">The run was stopped early (e.g. Ctrl+C); what was sent was still flushed.</param>
public sealed record ProduceSummary(
    long Sent,
    long Acknowledged,
    long Failed,
    IReadOnlyDictionary<DeadLetterReason, long> InjectedBad,
    TimeSpan Elapsed,
    TimeSpan SendingElapsed,
    double AchievedRate,
    IReadOnlyList<string> Errors,
    bool Cancelled)
{
    public long InjectedBadTotal => InjectedBad.Values.Sum();

    /// <summary>Every message sent was acknowledged.</summary>
    public bool Succeeded => Failed == 0 && Acknowledged == Sent;
}
