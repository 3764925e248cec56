namespace Ecommerce.Pipeline.Kafka.Producing;

/// <summary>
/// Where produced messages come from: a JSON-lines stream (<see cref="JsonLinesSource"/>), or a generator the host
/// adapts (the CLI's synthetic workload).
/// </summary>
public interface IMessageSource : IDisposable
{
    /// <summary>Advances to the next message; <c>false</c> at the end (a generator never ends).</summary>
    ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken);

    /// <summary>The current message; valid until the next <see cref="MoveNextAsync"/>.</summary>
    OutgoingMessage Current { get; }
}
