using System.Collections.Concurrent;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;

namespace Ecommerce.Pipeline.TestSupport;

/// <summary>A dead-letter topic in memory: keeps every dead letter published, in order, repeats included.</summary>
public sealed class MemoryDeadLetterPublisher : IDeadLetterPublisher
{
    private readonly ConcurrentQueue<DeadLetter> _published = new();

    public IReadOnlyCollection<DeadLetter> Published => [.. _published];

    public Task PublishAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deadLetters);
        foreach (var d in deadLetters)
        {
            _published.Enqueue(d);
        }

        return Task.CompletedTask;
    }
}
