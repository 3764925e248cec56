using Ecommerce.Pipeline.Core.Model;

namespace Ecommerce.Pipeline.Kafka.Producing;

/// <summary>
/// One record about to be produced. The memory belongs to its source and is only valid until the source's next
/// message; the producer copies it.
/// </summary>
/// <param name="Key">The record key (the user id as UTF-8); empty for no key.</param>
/// <param name="Value">The record value, exactly as it goes on the wire.</param>
/// <param name="ExpectedReason">
/// For a deliberately bad synthetic message, the dead-letter reason the processor must give it; <c>null</c> for a
/// valid synthetic message or for a replayed line whose outcome is not known in advance.
/// </param>
public readonly record struct OutgoingMessage(
    ReadOnlyMemory<byte> Key,
    ReadOnlyMemory<byte> Value,
    DeadLetterReason? ExpectedReason)
{
    public bool HasKey => !Key.IsEmpty;
}
