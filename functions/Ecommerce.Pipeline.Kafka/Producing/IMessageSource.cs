namespace Ecommerce.Pipeline.Kafka.Producing;

/// <summary>Where produced messages come from: the synthetic generator or a JSON-lines stream.</summary>
public interface IMessageSource : IDisposable
{
    /// <summary>Advances to the next message; <c>false</c> at the end (a generator never ends).</summary>
    ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken);

    /// <summary>The current message; valid until the next <see cref="MoveNextAsync"/>.</summary>
    OutgoingMessage Current { get; }
}

/// <summary>Adapts <see cref="SyntheticTransactions"/> to <see cref="IMessageSource"/>.</summary>
public sealed class SyntheticSource(SyntheticTransactions generator) : IMessageSource
{
    public OutgoingMessage Current { get; private set; }

    public ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        Current = generator.Next();
        return ValueTask.FromResult(true);
    }

    public void Dispose() => generator.Dispose();
}
