namespace Ecommerce.Pipeline.Kafka.Consuming;

/// <summary>
/// The stream processor stopped because a batch failed for good (not because it was asked to stop): that batch and
/// everything after it were not committed, so a rerun reads them again. Hosts exit non-zero with this message.
/// </summary>
public sealed class BatchAbandonedException : Exception
{
    public BatchAbandonedException()
    {
    }

    public BatchAbandonedException(string message)
        : base(message)
    {
    }

    public BatchAbandonedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>For the failure that ended the batch.</summary>
    public BatchAbandonedException(Exception failure)
        : base(Describe(failure), failure)
    {
    }

    private static string Describe(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        // One line: the host prints this message as its last word.
        var reason = failure.Message.ReplaceLineEndings(" ");
        return $"a batch could not be stored, so the processor stopped without committing it ({failure.GetType().Name}: {reason})";
    }
}
