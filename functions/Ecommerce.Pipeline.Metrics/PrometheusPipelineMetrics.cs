using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;
using Prometheus;

namespace Ecommerce.Pipeline.Metrics;

/// <summary>
/// The metrics of docs/contract.md ("Metrics") in Prometheus form, plus two business counters for the dashboards. Every call is per
/// batch; the only per-row work is the latency histogram's lock-free observe and a per-batch tally of revenue, both
/// done after the sink acknowledged (off the transform's hot path).
/// </summary>
public sealed class PrometheusPipelineMetrics : IPipelineMetrics
{
    /// <summary>Latency buckets: 5 ms to 60 s, with 15 s (the design's p99 promise) as an edge so alerts are exact.</summary>
    internal static readonly double[] LatencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60];

    /// <summary>Batch size buckets: 1 to 10,000 records (the processor's largest batch).</summary>
    internal static readonly double[] BatchSizeBuckets = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

    private static readonly Counter Consumed = Prometheus.Metrics.CreateCounter(
        "pipeline_messages_consumed_total", "Kafka messages in batches the processor acknowledged (each batch once, however often it was retried).");

    private static readonly Counter RowsWrittenTotal = Prometheus.Metrics.CreateCounter(
        "pipeline_rows_written_total", "Rows newly stored by the sink.", new CounterConfiguration { LabelNames = ["sink"] });

    private static readonly Counter DeadLettersTotal = Prometheus.Metrics.CreateCounter(
        "pipeline_dead_letters_total", "Messages rejected, by reason.", new CounterConfiguration { LabelNames = ["reason"] });

    private static readonly Counter DuplicatesTotal = Prometheus.Metrics.CreateCounter(
        "pipeline_duplicates_total", "Messages dropped because their transaction_id was already stored or seen in the batch.");

    private static readonly Histogram BatchSize = Prometheus.Metrics.CreateHistogram(
        "pipeline_batch_size", "Records per batch.", new HistogramConfiguration { Buckets = BatchSizeBuckets });

    private static readonly Histogram SinkWriteDuration = Prometheus.Metrics.CreateHistogram(
        "pipeline_sink_write_duration_seconds", "Time for the sink to acknowledge a batch of rows.",
        new HistogramConfiguration { LabelNames = ["sink"], Buckets = LatencyBuckets });

    private static readonly Histogram EndToEnd = Prometheus.Metrics.CreateHistogram(
        "pipeline_end_to_end_latency_seconds", "Kafka message timestamp to row stored.",
        new HistogramConfiguration { Buckets = LatencyBuckets });

    private static readonly Counter SinkErrors = Prometheus.Metrics.CreateCounter(
        "pipeline_sink_errors_total", "Sink failures, by kind.", new CounterConfiguration { LabelNames = ["sink", "kind"] });

    private static readonly Counter SinkRetries = Prometheus.Metrics.CreateCounter(
        "pipeline_sink_retries_total", "Batches retried after a sink failure.", new CounterConfiguration { LabelNames = ["sink"] });

    private static readonly Counter SinkWaits = Prometheus.Metrics.CreateCounter(
        "pipeline_sink_waits_total", "Waits inside a sink write before trying again, by reason (table_not_ready, quota_exceeded, rate_limit_exceeded).",
        new CounterConfiguration { LabelNames = ["sink", "reason"] });

    private static readonly Counter SinkWaitSeconds = Prometheus.Metrics.CreateCounter(
        "pipeline_sink_wait_seconds_total", "Seconds of those waits, by reason.", new CounterConfiguration { LabelNames = ["sink", "reason"] });

    // Business counters. Labels are bounded: ~250 countries × a handful of payment methods and currencies.
    private static readonly Counter Revenue = Prometheus.Metrics.CreateCounter(
        "pipeline_revenue_total", "Sum of the prices of stored transactions, in their own currency.",
        new CounterConfiguration { LabelNames = ["currency", "country_code", "payment_method"] });

    private static readonly Counter Orders = Prometheus.Metrics.CreateCounter(
        "pipeline_orders_total", "Stored transactions.", new CounterConfiguration { LabelNames = ["country_code", "payment_method"] });

    private PrometheusPipelineMetrics()
    {
        // Every reason exists from the start at 0, so rate() and the dead-letter ratio see a series before the first one.
        foreach (var code in DeadLetterReasons.All)
        {
            DeadLettersTotal.WithLabels(code);
        }
    }

    public static PrometheusPipelineMetrics Instance { get; } = new();

    /// <summary>Label value for rows whose geolocation resolved to no country.</summary>
    public const string UnknownCountry = "unknown";

    /// <summary>Publishes the per-sink series at 0 before the first batch, so dashboards and alerts see them at once.</summary>
    public static void InitializeSink(string sink)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sink);
        RowsWrittenTotal.WithLabels(sink);
        SinkRetries.WithLabels(sink);
        SinkWriteDuration.WithLabels(sink);
    }

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

    public void SinkWait(string sink, string reason, TimeSpan delay)
    {
        SinkWaits.WithLabels(sink, reason).Inc();
        SinkWaitSeconds.WithLabels(sink, reason).Inc(delay.TotalSeconds);
    }

    /// <remarks>Also tallies revenue and orders: this is the one hook that sees the stored rows. Rows the sink found
    /// already stored (a redelivery) are among them, so after a redelivery the business counters run slightly high;
    /// the warehouse stays the source of truth for money.</remarks>
    public void EndToEndLatency(IReadOnlyList<TransactionRow> rows, DateTimeOffset storedAt)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return;
        }

        // One counter update per (currency, country, method) of the batch, not per row.
        var tally = new Dictionary<(string Currency, string Country, string Method), (double Revenue, int Orders)>();
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            EndToEnd.Observe(Math.Max(0, (storedAt - row.KafkaTimestamp).TotalSeconds));
            var key = (row.Currency, row.CountryCode ?? UnknownCountry, row.PaymentMethod);
            tally.TryGetValue(key, out var sum);
            tally[key] = (sum.Revenue + (double)row.Price, sum.Orders + 1);
        }

        foreach (var ((currency, country, method), (revenue, orders)) in tally)
        {
            Revenue.WithLabels(currency, country, method).Inc(revenue);
            Orders.WithLabels(country, method).Inc(orders);
        }
    }
}
