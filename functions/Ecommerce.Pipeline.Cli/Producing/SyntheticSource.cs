using Ecommerce.Pipeline.Kafka.Producing;
using Ecommerce.Pipeline.Workload;

namespace Ecommerce.Pipeline.Cli.Producing;

/// <summary>
/// The synthetic workload as the producer's message source. It lives with the host because the generator knows no
/// transport and the Kafka adapter knows no generator.
/// </summary>
internal sealed class SyntheticSource(SyntheticTransactions generator) : IMessageSource
{
    public OutgoingMessage Current { get; private set; }

    /// <summary>Always <c>true</c>: a generator never ends; the producer's count or duration stops it.</summary>
    public ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        var next = generator.Next();
        Current = new OutgoingMessage(next.Key, next.Value, next.ExpectedReason);
        return ValueTask.FromResult(true);
    }

    public void Dispose() => generator.Dispose();
}
