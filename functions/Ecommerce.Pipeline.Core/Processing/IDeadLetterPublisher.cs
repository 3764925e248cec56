using Ecommerce.Pipeline.Core.Model;

namespace Ecommerce.Pipeline.Core.Processing;

/// <summary>Publishes dead letters to the dead-letter topic; returns once the broker acknowledged all of them.</summary>
public interface IDeadLetterPublisher
{
    Task PublishAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken);
}
