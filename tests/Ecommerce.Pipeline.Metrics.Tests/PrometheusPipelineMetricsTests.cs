using Ecommerce.Pipeline.Core.Geo;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.Metrics.Tests.Support;

// The metrics live in prometheus-net's process-wide registry: tests read deltas, one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Ecommerce.Pipeline.Metrics.Tests;

/// <summary>The exporter as the processor drives it: real batch handler, real transform, an in-memory sink.</summary>
public sealed class PrometheusPipelineMetricsTests
{
    private static TransactionBatchHandler Handler(ITransactionSink sink) =>
        new(new BatchProcessor(TimeProvider.System, GeoResolver.Default), sink, new MemoryDeadLetterPublisher(),
            PrometheusPipelineMetrics.Instance, TimeProvider.System);

    private static double Get(Dictionary<string, double> samples, string key) => samples.GetValueOrDefault(key);

    [Fact]
    public async Task A_batch_retried_after_a_sink_failure_is_consumed_once_and_the_error_is_counted()
    {
        var sink = new MemorySink("retry-test", failures: 2);
        var handler = Handler(sink);
        RawRecord[] batch = [.. Enumerable.Range(0, 7).Select(i => Records.Transaction(i, $"retry-{i}", "10.00", "USD", "visa", "US"))];
        var before = await Exposition.ScrapeDefaultRegistryAsync();

        await Assert.ThrowsAsync<IOException>(() => handler.HandleAsync(batch, CancellationToken.None));
        await Assert.ThrowsAsync<IOException>(() => handler.HandleAsync(batch, CancellationToken.None));
        var outcome = await handler.HandleAsync(batch, CancellationToken.None);

        var after = await Exposition.ScrapeDefaultRegistryAsync();
        Assert.Equal(7, outcome.RowsInserted);
        Assert.Equal(7, Get(after, "pipeline_messages_consumed_total") - Get(before, "pipeline_messages_consumed_total"));
        Assert.Equal(1, Get(after, "pipeline_batch_size_count") - Get(before, "pipeline_batch_size_count"));
        Assert.Equal(7, Get(after, "pipeline_rows_written_total{sink=\"retry-test\"}"));
        Assert.Equal(2, Get(after, "pipeline_sink_errors_total{sink=\"retry-test\",kind=\"IOException\"}"));
    }

    [Fact]
    public async Task Revenue_and_orders_are_tallied_by_currency_country_and_payment_method()
    {
        var handler = Handler(new MemorySink("revenue-test", failures: 0));
        RawRecord[] batch =
        [
            Records.Transaction(1, "rev-1", "19.99", "CHF", "visa", "Zurich, CH"),
            Records.Transaction(2, "rev-2", "5.01", "CHF", "mastercard", "Geneva, Switzerland"),
            Records.Transaction(3, "rev-3", "100", "CHF", "paypal", "Bern, CH"),
            Records.Transaction(4, "rev-4", "7.50", "CHF", "paypal", "0,0"),
        ];
        var before = await Exposition.ScrapeDefaultRegistryAsync();

        await handler.HandleAsync(batch, CancellationToken.None);

        var after = await Exposition.ScrapeDefaultRegistryAsync();
        double Delta(string key) => Get(after, key) - Get(before, key);
        Assert.Equal(25.00, Delta("pipeline_revenue_total{currency=\"CHF\",country_code=\"CH\",payment_method=\"credit_card\"}"), 6);
        Assert.Equal(100.00, Delta("pipeline_revenue_total{currency=\"CHF\",country_code=\"CH\",payment_method=\"paypal\"}"), 6);
        Assert.Equal(7.50, Delta("pipeline_revenue_total{currency=\"CHF\",country_code=\"unknown\",payment_method=\"paypal\"}"), 6);
        Assert.Equal(2, Delta("pipeline_orders_total{country_code=\"CH\",payment_method=\"credit_card\"}"));
        Assert.Equal(1, Delta("pipeline_orders_total{country_code=\"CH\",payment_method=\"paypal\"}"));
        Assert.Equal(4, Delta("pipeline_end_to_end_latency_seconds_count"));
    }

    [Fact]
    public async Task A_sink_wait_counts_once_and_adds_its_seconds_by_reason()
    {
        var before = await Exposition.ScrapeDefaultRegistryAsync();

        PrometheusPipelineMetrics.Instance.SinkWait("wait-test", "quota_exceeded", TimeSpan.FromSeconds(1.5));
        PrometheusPipelineMetrics.Instance.SinkWait("wait-test", "quota_exceeded", TimeSpan.FromSeconds(3));

        var after = await Exposition.ScrapeDefaultRegistryAsync();
        const string Labels = "{sink=\"wait-test\",reason=\"quota_exceeded\"}";
        Assert.Equal(2, Get(after, "pipeline_sink_waits_total" + Labels) - Get(before, "pipeline_sink_waits_total" + Labels));
        Assert.Equal(4.5, Get(after, "pipeline_sink_wait_seconds_total" + Labels) - Get(before, "pipeline_sink_wait_seconds_total" + Labels), 6);
    }

    [Fact]
    public async Task Every_dead_letter_reason_and_the_sink_series_exist_before_the_first_event()
    {
        PrometheusPipelineMetrics.InitializeSink("fresh-sink");
        var samples = await Exposition.ScrapeDefaultRegistryAsync();
        foreach (var code in DeadLetterReasons.All)
        {
            Assert.True(samples.ContainsKey($"pipeline_dead_letters_total{{reason=\"{code}\"}}"), code);
        }

        Assert.Equal(0, samples["pipeline_rows_written_total{sink=\"fresh-sink\"}"]);
        Assert.Equal(0, samples["pipeline_sink_retries_total{sink=\"fresh-sink\"}"]);
        Assert.Equal(0, samples["pipeline_sink_write_duration_seconds_count{sink=\"fresh-sink\"}"]);
    }

    [Fact]
    public async Task Dead_letters_are_counted_by_reason()
    {
        var handler = Handler(new MemorySink("dl-test", failures: 0));
        var before = await Exposition.ScrapeDefaultRegistryAsync();

        await handler.HandleAsync([Records.Raw(1, "{not json"), Records.Raw(2, "[1,2]"), Records.Raw(3, "{oops")], CancellationToken.None);

        var after = await Exposition.ScrapeDefaultRegistryAsync();
        Assert.Equal(2, Get(after, "pipeline_dead_letters_total{reason=\"malformed_json\"}") - Get(before, "pipeline_dead_letters_total{reason=\"malformed_json\"}"));
        Assert.Equal(1, Get(after, "pipeline_dead_letters_total{reason=\"not_an_object\"}") - Get(before, "pipeline_dead_letters_total{reason=\"not_an_object\"}"));
    }

    [Fact]
    public async Task Histogram_buckets_span_5ms_to_60s_for_latency_and_1_to_10000_for_batch_size()
    {
        PrometheusPipelineMetrics.InitializeSink("fresh-sink");
        var samples = await Exposition.ScrapeDefaultRegistryAsync();
        string[] latency = [.. Les(samples, "pipeline_end_to_end_latency_seconds_bucket{")];
        Assert.Equal("0.005", latency[0]);
        Assert.Equal("60", latency[^2]);
        Assert.Contains("15", latency);
        Assert.Equal("+Inf", latency[^1]);
        string[] batch = [.. Les(samples, "pipeline_batch_size_bucket{")];
        Assert.Equal("1", batch[0]);
        Assert.Equal("10000", batch[^2]);
        Assert.Equal<IEnumerable<string>>(latency, Les(samples, "pipeline_sink_write_duration_seconds_bucket{sink=\"fresh-sink\",").ToArray());
    }

    private static IEnumerable<string> Les(Dictionary<string, double> samples, string prefix)
    {
        return samples.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .Select(k => k[(k.IndexOf("le=\"", StringComparison.Ordinal) + 4)..k.LastIndexOf('"')]);
    }

    [Fact]
    public async Task Consumer_lag_is_exported_per_partition_and_in_total()
    {
        ConsumerLagGauge.Set("lag-test", [(0, 5L), (1, 0L), (2, 37L)]);
        var samples = await Exposition.ScrapeDefaultRegistryAsync();
        Assert.Equal(5, samples["pipeline_consumer_lag{topic=\"lag-test\",partition=\"0\"}"]);
        Assert.Equal(37, samples["pipeline_consumer_lag{topic=\"lag-test\",partition=\"2\"}"]);
        Assert.Equal(42, samples["pipeline_consumer_group_lag{topic=\"lag-test\"}"]);

        ConsumerLagGauge.Set("lag-test", [(0, 0L), (1, 0L), (2, 1L)]);
        Assert.Equal(1, (await Exposition.ScrapeDefaultRegistryAsync())["pipeline_consumer_group_lag{topic=\"lag-test\"}"]);
    }
}
