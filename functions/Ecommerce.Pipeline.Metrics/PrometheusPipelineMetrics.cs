using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;
using Prometheus;

namespace Ecommerce.Pipeline.Metrics;

/// <summary>
/// The metrics of CONTRACT §5 in Prometheus form. Every call is per batch; the only per-row work is the latency
/// histogram's lock-free observe, done after the sink acknowledged (off the transform's hot path).
/// </summary>
public sealed class PrometheusPipelineMetrics : IPipelineMetrics
{
    private static readonly Counter Consumed = Prometheus.Metrics.CreateCounter(
        "pipeline_messages_consumed_total", "Kafka messages handed to the batch processor.");

    private static readonly Counter RowsWrittenTotal = Prometheus.Metrics.CreateCounter(
        "pipeline_rows_written_total", "Rows newly stored by the sink.", new CounterConfiguration { LabelNames = ["sink"] });

    private static readonly Counter DeadLettersTotal = Prometheus.Metrics.CreateCounter(
        "pipeline_dead_letters_total", "Messages rejected, by reason.", new CounterConfiguration { LabelNames = ["reason"] });

    private static readonly Counter DuplicatesTotal = Prometheus.Metrics.CreateCounter(
        "pipeline_duplicates_total", "Messages dropped because their transaction_id was already stored or seen in the batch.");

    private static readonly Histogram BatchSize = Prometheus.Metrics.CreateHistogram(
        "pipeline_batch_size", "Records per batch.",
        new HistogramConfiguration { Buckets = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] });

    private static readonly Histogram SinkWriteDuration = Prometheus.Metrics.CreateHistogram(
        "pipeline_sink_write_duration_seconds", "Time for the sink to acknowledge a batch of rows.",
        new HistogramConfiguration
        {
            LabelNames = ["sink"],
            Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        });

    private static readonly Histogram EndToEnd = Prometheus.Metrics.CreateHistogram(
        "pipeline_end_to_end_latency_seconds", "Kafka message timestamp to row stored.",
        new HistogramConfiguration { Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60] });

    private static readonly Counter SinkErrors = Prometheus.Metrics.CreateCounter(
        "pipeline_sink_errors_total", "Sink failures, by kind.", new CounterConfiguration { LabelNames = ["sink", "kind"] });

    private static readonly Counter SinkRetries = Prometheus.Metrics.CreateCounter(
        "pipeline_sink_retries_total", "Batches retried after a sink failure.", new CounterConfiguration { LabelNames = ["sink"] });

    public static PrometheusPipelineMetrics Instance { get; } = new();

    public void BatchConsumed(int messages)
    {
        Consumed.Inc(messages);
        BatchSize.Observe(messages);
    }

    public void RowsWritten(string sink, int rows) => RowsWrittenTotal.WithLabels(sink).Inc(rows);

    public void DeadLetters(IReadOnlyList<DeadLetter> deadLetters)
    {
        ArgumentNullException.ThrowIfNull(deadLetters);
        foreach (var group in deadLetters.GroupBy(d => d.Reason))
        {
            DeadLettersTotal.WithLabels(group.Key.ToCode()).Inc(group.Count());
        }
    }

    public void Duplicates(int count) => DuplicatesTotal.Inc(count);

    public void SinkWrite(string sink, TimeSpan duration) => SinkWriteDuration.WithLabels(sink).Observe(duration.TotalSeconds);

    public void SinkError(string sink, string kind) => SinkErrors.WithLabels(sink, kind).Inc();

    public void SinkRetry(string sink) => SinkRetries.WithLabels(sink).Inc();

    public void EndToEndLatency(IReadOnlyList<TransactionRow> rows, DateTimeOffset storedAt)
    {
        ArgumentNullException.ThrowIfNull(rows);
        for (var i = 0; i < rows.Count; i++)
        {
            EndToEnd.Observe(Math.Max(0, (storedAt - rows[i].KafkaTimestamp).TotalSeconds));
        }
    }
}
