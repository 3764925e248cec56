using System.Globalization;
using System.Text.Json;
using Ecommerce.Pipeline.Core.Geo;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.Metrics.Tests.Support;

namespace Ecommerce.Pipeline.Metrics.Tests;

/// <summary>
/// A real <c>pipeline dev</c> run scraped by a real Prometheus (Debian's binary) with the local scrape config and the
/// rule files of infra/monitoring. A second target, this test process, runs the real batch handler against a sink
/// that fails once, so sink-error series exist too (a healthy dev run has none).
/// </summary>
public sealed class LivePipeline : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);
    private readonly TempDir _dir = new();
    private IDisposable? _faultTarget;

    internal PipelineProcess Dev { get; private set; } = null!;
    internal PrometheusServer Prometheus { get; private set; } = null!;
    public int DevPort { get; private set; }

    /// <summary>The evaluation time of every query: a moment at which all targets had been scraped with data.</summary>
    public double EvalTime { get; private set; }

    /// <summary>The dev process's own /metrics text, read while it ran.</summary>
    public string DevScrape { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        ExternalTool.Require("promtool");
        DevPort = ExternalTool.FreePort();
        var faultPort = ExternalTool.FreePort();
        _faultTarget = MetricsEndpoint.Start(faultPort);
        await RunFaultyBatchAsync();

        Dev = PipelineProcess.Start(
        [
            "dev", "--rate", "300", "--duration", "45s", "--bad-ratio", "0.02", "--metrics-port",
            DevPort.ToString(CultureInfo.InvariantCulture), "--duckdb", _dir.File("warehouse.duckdb"),
        ]);

        var config = (await File.ReadAllTextAsync(ExternalTool.Monitoring("prometheus", "prometheus.local.yml")))
            .Replace("['127.0.0.1:9464']", $"['127.0.0.1:{DevPort}', '127.0.0.1:{faultPort}']", StringComparison.Ordinal)
            .Replace("- rules/", "- " + ExternalTool.Monitoring("prometheus", "rules") + "/", StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{DevPort}", config, StringComparison.Ordinal);
        Prometheus = await PrometheusServer.StartAsync(config, TimeSpan.FromSeconds(30));

        // Ready when the rows, the lag and the rule-derived p99 of the dev run are all in Prometheus.
        string[] ready =
        [
            $"pipeline_rows_written_total{{sink=\"duckdb\",instance=\"127.0.0.1:{DevPort}\"}} > 0",
            $"pipeline_consumer_lag{{instance=\"127.0.0.1:{DevPort}\"}}",
            "pipeline:consumer_lag:sum",
            "pipeline:end_to_end_latency_seconds:p99_5m > 0",
            "pipeline:dead_letter_ratio:rate5m >= 0",
            "pipeline:sink_write_duration_seconds:p99_5m{sink=\"duckdb\"} > 0",
            "sum(rate(pipeline_orders_total[1m])) > 0",
            "pipeline_sink_errors_total",
            // rate(), increase() and deriv() need two samples in their window: both targets scraped three times,
            // and the lag rules evaluated three times.
            "count(up == 1) == 2",
            "min(count_over_time(up[1m])) >= 3",
            "count_over_time(pipeline:consumer_lag:sum[1m]) >= 3",
        ];
        await Poll.UntilAsync(async () =>
        {
            foreach (var q in ready)
            {
                if ((await Prometheus.QueryAsync(q)).Samples.Count == 0)
                {
                    return false;
                }
            }

            return true;
        }, Deadline, "the dev run's metrics and recording rules in Prometheus",
            () => $"\ndev stdout:\n{Dev.Stdout}\ndev stderr:\n{Dev.Stderr}\nprometheus:\n{Prometheus.Log}");
        EvalTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

        using var http = new HttpClient();
        DevScrape = await http.GetStringAsync(new Uri($"http://127.0.0.1:{DevPort}/metrics"));
    }

    /// <summary>The real handler against a sink that fails once, then a retry: sink-error series with this process's labels.</summary>
    private static async Task RunFaultyBatchAsync()
    {
        var sink = new MemorySink("faulty", failures: 1);
        PrometheusPipelineMetrics.InitializeSink(sink.Name);
        var handler = new TransactionBatchHandler(new BatchProcessor(TimeProvider.System, GeoResolver.Default), sink,
            new MemoryDeadLetterPublisher(), PrometheusPipelineMetrics.Instance, TimeProvider.System);
        var batch = new[] { Records.Transaction(1, "faulty-1", "12.50", "EUR", "paypal", "Paris, FR") };
        await Assert.ThrowsAsync<IOException>(() => handler.HandleAsync(batch, CancellationToken.None));
        PrometheusPipelineMetrics.Instance.SinkRetry(sink.Name);
        await handler.HandleAsync(batch, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (Prometheus is not null)
        {
            await Prometheus.DisposeAsync();
        }

        if (Dev is not null)
        {
            await Dev.DisposeAsync();
        }

        Dispose();
    }

    public void Dispose()
    {
        _faultTarget?.Dispose();
        _faultTarget = null;
        _dir.Dispose();
    }
}

[Trait("Category", "Integration")]
public sealed class RealPrometheusTests(LivePipeline live) : IClassFixture<LivePipeline>
{
    private Task<QueryResult> Query(string expr) => live.Prometheus.QueryAsync(expr, live.EvalTime);

    private string Dev => $"instance=\"127.0.0.1:{live.DevPort}\"";

    [Fact]
    public async Task Every_contract_metric_of_the_dev_run_has_series_with_plausible_values()
    {
        foreach (var metric in PromQl.ContractMetrics)
        {
            var name = PromQl.Histograms.Contains(metric) ? metric + "_count" : metric;
            Assert.True((await Query(name)).Samples.Count > 0, $"{name}: no series in Prometheus");

            // A healthy dev run has no sink errors (that series comes from the fault-injecting target).
            if (metric != "pipeline_sink_errors_total")
            {
                Assert.True((await Query($"{name}{{{Dev}}}")).Samples.Count > 0, $"{name}: no series from the dev run");
            }
        }

        Assert.Equal(1, (await Query("pipeline_sink_errors_total{sink=\"faulty\",kind=\"IOException\"}")).Samples.Single().Value);

        var rows = (await Query($"pipeline_rows_written_total{{sink=\"duckdb\",{Dev}}}")).Samples.Single().Value;
        var consumed = (await Query($"pipeline_messages_consumed_total{{{Dev}}}")).Samples.Single().Value;
        Assert.True(rows > 0, "no rows stored");
        Assert.True(consumed >= rows, $"consumed {consumed} < stored {rows}");

        // Lag per partition of the dev topic (6 partitions by default), and a total that is their sum's order.
        var lag = (await Query($"pipeline_consumer_lag{{topic=\"transactions_stream\",{Dev}}}")).Samples;
        Assert.True(lag.Count >= 2, $"lag of {lag.Count} partition(s)");
        Assert.Equal(lag.Count, lag.Select(s => s.Labels["partition"]).Distinct().Count());
        Assert.All(lag, s => Assert.True(s.Value >= 0));
        Assert.Single((await Query($"pipeline_consumer_group_lag{{topic=\"transactions_stream\",{Dev}}}")).Samples);

        // Every dead-letter reason exists from the start; batches are sized within the buckets.
        Assert.Equal(Enum.GetValues<DeadLetterReason>().Length, (await Query($"pipeline_dead_letters_total{{{Dev}}}")).Samples.Count);
        var batchP99 = (await Query("histogram_quantile(0.99, sum by (le) (rate(pipeline_batch_size_bucket[1m])))")).Samples.Single().Value;
        Assert.InRange(batchP99, 1, 10000);
        var p99 = (await Query("pipeline:end_to_end_latency_seconds:p99_5m")).Samples.Single().Value;
        Assert.InRange(p99, 0.005, 60);
    }

    [Fact]
    public async Task Every_rule_loads_and_evaluates_without_error_and_every_recording_rule_has_data()
    {
        using var doc = await live.Prometheus.GetJsonAsync("api/v1/rules");
        var rules = doc.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray()
            .SelectMany(g => g.GetProperty("rules").EnumerateArray()).ToList();
        Assert.Equal(15, rules.Count(r => r.GetProperty("type").GetString() == "recording"));
        Assert.Equal(6, rules.Count(r => r.GetProperty("type").GetString() == "alerting"));
        var recorded = rules.Where(r => r.GetProperty("type").GetString() == "recording").Select(r => r.GetProperty("name").GetString()!).ToHashSet();

        foreach (var rule in rules)
        {
            var name = rule.GetProperty("name").GetString()!;
            Assert.True(rule.GetProperty("health").GetString() == "ok", $"{name}: {rule.GetProperty("health")} {Error(rule)}");
            var query = rule.GetProperty("query").GetString()!;
            if (rule.GetProperty("type").GetString() == "recording")
            {
                Assert.True((await Query(name)).Samples.Count > 0, $"recording rule {name} ({query}) has no data");
                continue;
            }

            // An alert's condition is false on a healthy run; each pipeline series it reads must have data.
            foreach (var metric in PromQl.MetricNames(query).Where(m => m.StartsWith("pipeline", StringComparison.Ordinal)))
            {
                Assert.True(recorded.Contains(metric) || PromQl.KnownSeriesNames([]).Contains(metric), $"{name}: unknown {metric}");
                Assert.True((await Query(metric)).Samples.Count > 0, $"alert {name}: {metric} has no data");
            }

            Assert.True((await Query(query)).Ok);
        }
    }

    private static string Error(JsonElement rule) => rule.TryGetProperty("lastError", out var e) ? e.GetString() ?? string.Empty : string.Empty;

    [Fact]
    public async Task Every_dashboard_query_parses_and_every_pipeline_only_query_returns_data()
    {
        var count = 0;
        foreach (var (file, panel, expr) in Dashboards.Targets())
        {
            var query = PromQl.SubstituteGrafanaVariables(expr);
            var result = await Query(query);
            Assert.True(result.Ok, $"{file} / {panel}: {result.Error} in {query}");
            var names = PromQl.MetricNames(query);
            if (names.Count > 0 && names.All(n => n.StartsWith("pipeline", StringComparison.Ordinal)))
            {
                Assert.True(result.Samples.Count > 0, $"{file} / {panel}: no data for {query}");
                count++;
            }
        }

        Assert.True(count >= 25, $"only {count} pipeline queries evaluated");
        foreach (var (file, variable, metric, label) in Dashboards.LabelValueVariables())
        {
            Assert.True((await Query($"count by ({label}) ({metric})")).Samples.Count > 0, $"{file}: variable {variable} has no values");
        }
    }

    [Fact]
    public async Task The_injected_sink_failure_fires_PipelineSinkErrors_in_the_real_Prometheus_and_nothing_else_fires()
    {
        List<(string Name, string State, string? Sink)> alerts = [];
        await Poll.UntilAsync(async () =>
        {
            using var doc = await live.Prometheus.GetJsonAsync("api/v1/alerts");
            alerts = [.. doc.RootElement.GetProperty("data").GetProperty("alerts").EnumerateArray().Select(a => (
                a.GetProperty("labels").GetProperty("alertname").GetString()!,
                a.GetProperty("state").GetString()!,
                a.GetProperty("labels").TryGetProperty("sink", out var sink) ? sink.GetString() : null))];
            return alerts.Any(a => a is { Name: "PipelineSinkErrors", State: "firing", Sink: "faulty" });
        }, TimeSpan.FromSeconds(30), "PipelineSinkErrors firing", () => string.Join("; ", alerts));

        // A healthy dev run fires nothing; alerts with a `for` may at most be pending.
        Assert.All(alerts.Where(a => a.Name != "PipelineSinkErrors"), a => Assert.NotEqual("firing", a.State));
    }

    [Fact]
    public async Task Cluster_metric_queries_parse_even_without_keda_or_kube_state_metrics()
    {
        foreach (var metric in PromQl.ClusterMetrics)
        {
            var result = await Query($"sum({metric}) or vector(0)");
            Assert.True(result.Ok, result.Error);
        }

        var broken = await Query("sum(rate(pipeline_rows_written_total[1m])");
        Assert.False(broken.Ok, "a malformed query must be rejected, or these checks prove nothing");
    }

    [Fact]
    public async Task Promtool_check_metrics_accepts_the_real_scrape()
    {
        var promtool = ExternalTool.Require("promtool");
        Assert.Contains("pipeline_rows_written_total{sink=\"duckdb\"}", live.DevScrape, StringComparison.Ordinal);
        var (code, stdout, stderr) = await ExternalTool.RunAsync(promtool, ["check", "metrics"], TimeSpan.FromSeconds(30), live.DevScrape);
        Assert.True(code == 0, $"promtool check metrics: {stdout}{stderr}");
    }

    [Fact]
    public async Task Promtool_accepts_the_local_scrape_config_and_its_rule_files()
    {
        var promtool = ExternalTool.Require("promtool");
        var (code, stdout, stderr) = await ExternalTool.RunAsync(promtool,
            ["check", "config", ExternalTool.Monitoring("prometheus", "prometheus.local.yml")], TimeSpan.FromSeconds(30));
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("SUCCESS: 2 rule files found", stdout + stderr, StringComparison.Ordinal);
    }
}
