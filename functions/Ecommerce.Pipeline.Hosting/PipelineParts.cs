using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.Kafka.DeadLetters;

namespace Ecommerce.Pipeline.Hosting;

/// <summary>
/// What <see cref="PipelineFactory"/> built, owned together: disposing flushes the dead-letter producer, then closes
/// the sink (DuckDB commits and releases the file). Disposing twice does nothing more.
/// </summary>
public sealed class PipelineParts : IAsyncDisposable
{
    private readonly KafkaDeadLetterPublisher _publisher;
    private int _disposed;

    internal PipelineParts(PipelineSettings settings, ITransactionSink sink, KafkaDeadLetterPublisher publisher,
        TransactionBatchHandler handler)
    {
        Settings = settings;
        Sink = sink;
        _publisher = publisher;
        Handler = handler;
    }

    /// <summary>The settings the parts were built from.</summary>
    public PipelineSettings Settings { get; }

    /// <summary>The warehouse named by <see cref="PipelineSettings.Sink"/>, its start-up checks passed.</summary>
    public ITransactionSink Sink { get; }

    /// <summary>Dead letters to <see cref="PipelineSettings.DeadLetterTopic"/>, with the settings' Kafka security.</summary>
    public IDeadLetterPublisher Publisher => _publisher;

    /// <summary>The one batch pipeline: transform, store, dead-letter.</summary>
    public TransactionBatchHandler Handler { get; }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            _publisher.Dispose();
        }
        finally
        {
            await Sink.DisposeAsync().ConfigureAwait(false);
        }
    }
}
