using Ecommerce.Pipeline.Core.Model;

namespace Ecommerce.Pipeline.Core.Processing;

/// <summary>
/// Batch-level metrics hooks. Called once per batch (never per message) so the hot path stays free of locks and
/// per-message allocations.
/// </summary>
public interface IPipelineMetrics
{
    void BatchConsumed(int messages);
    void RowsWritten(string sink, int rows);
    void DeadLetters(IReadOnlyList<DeadLetter> deadLetters);
    void Duplicates(int count);
    void SinkWrite(string sink, TimeSpan duration);
    void SinkError(string sink, string kind);
    void SinkRetry(string sink);

    /// <summary>
    /// The sink waits before trying again, inside one write: for a table that is not ready yet, or because the
    /// warehouse throttles (quota or rate limit). <paramref name="reason"/> is a short label, e.g. <c>table_not_ready</c>.
    /// </summary>
    void SinkWait(string sink, string reason, TimeSpan delay);

    /// <summary>Kafka message timestamp → stored, for each stored row of the batch.</summary>
    void EndToEndLatency(IReadOnlyList<TransactionRow> rows, DateTimeOffset storedAt);
}

/// <summary>Metrics that go nowhere.</summary>
public sealed class NullPipelineMetrics : IPipelineMetrics
{
    public static NullPipelineMetrics Instance { get; } = new();

    public void BatchConsumed(int messages) { }
    public void RowsWritten(string sink, int rows) { }
    public void DeadLetters(IReadOnlyList<DeadLetter> deadLetters) { }
    public void Duplicates(int count) { }
    public void SinkWrite(string sink, TimeSpan duration) { }
    public void SinkError(string sink, string kind) { }
    public void SinkRetry(string sink) { }
    public void SinkWait(string sink, string reason, TimeSpan delay) { }
    public void EndToEndLatency(IReadOnlyList<TransactionRow> rows, DateTimeOffset storedAt) { }
}
