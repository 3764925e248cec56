namespace Ecommerce.Pipeline.Core.Processing;

/// <summary>
/// The processor's fixed limits (docs/contract.md, Reason codes), declared once so that whatever produces or checks
/// messages against them (the synthetic workload, tests) uses the same numbers as the parser.
/// </summary>
public static class Limits
{
    /// <summary>A Kafka value larger than this many bytes is rejected as <c>message_too_large</c>.</summary>
    public const int MaxMessageBytes = 64 * 1024;

    /// <summary>A transaction older than this (before the batch's clock) is rejected as <c>timestamp_too_old</c>.</summary>
    public static readonly TimeSpan RetentionWindow = TimeSpan.FromDays(7);
}
