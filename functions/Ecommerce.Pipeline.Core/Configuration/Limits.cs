namespace Ecommerce.Pipeline.Core.Configuration;

/// <summary>
/// The pipeline's fixed bounds (docs/contract.md, Input and Tables), declared once so the parser, the producer, the
/// warehouses and the maintenance jobs cannot drift apart.
/// </summary>
public static class Limits
{
    /// <summary>
    /// Days a transaction is kept and accepted: older events are rejected as <c>timestamp_too_old</c>, and both
    /// warehouses drop partitions past it.
    /// </summary>
    public const int RetentionDays = 7;

    /// <summary>A Kafka value larger than this is rejected as <c>message_too_large</c> without being parsed.</summary>
    public const int MaxMessageBytes = 64 * 1024;

    /// <inheritdoc cref="RetentionDays"/>
    public static TimeSpan Retention { get; } = TimeSpan.FromDays(RetentionDays);
}
