namespace Ecommerce.Pipeline.Core.Processing;

/// <summary>
/// The sink cannot make progress without a person (credentials refused, dataset missing, table not creatable).
/// Retrying would only stall: hosts stop consuming, commit nothing that was not stored, and exit non-zero with this
/// message. Transient failures are ordinary exceptions and are retried.
/// </summary>
public sealed class SinkUnavailableException : Exception
{
    public SinkUnavailableException()
    {
    }

    public SinkUnavailableException(string message)
        : base(message)
    {
    }

    public SinkUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
