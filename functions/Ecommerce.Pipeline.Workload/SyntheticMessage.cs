using Ecommerce.Pipeline.Core.Model;

namespace Ecommerce.Pipeline.Workload;

/// <summary>
/// One generated message. The memory belongs to the generator and is only valid until its next message.
/// </summary>
/// <param name="Key">The record key: the user id as UTF-8.</param>
/// <param name="Value">The record value, exactly as it goes on the wire.</param>
/// <param name="ExpectedReason">
/// For a deliberately bad message, the dead-letter reason the processor must give it; <c>null</c> for a valid one.
/// </param>
public readonly record struct SyntheticMessage(
    ReadOnlyMemory<byte> Key,
    ReadOnlyMemory<byte> Value,
    DeadLetterReason? ExpectedReason)
{
    public bool HasKey => !Key.IsEmpty;
}
