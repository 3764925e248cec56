using System.Text.Json;
using Ecommerce.Pipeline.Metrics.Tests.Support;

namespace Ecommerce.Pipeline.Metrics.Tests;

/// <summary>The Grafana dashboards are importable JSON that only query metrics that exist.</summary>
public sealed class DashboardTests
{
    public static TheoryData<string> Files() => [.. Dashboards.Files.Select(f => Path.GetFileName(f))];

    [Fact]
    public void There_are_the_health_autoscaling_and_business_dashboards_with_distinct_uids()
    {
        var uids = Dashboards.Files.Select(f =>
        {
            using var doc = Dashboards.Load(f);
            return doc.RootElement.GetProperty("uid").GetString();
        }).ToList();
        Assert.Equal(["pipeline-autoscaling", "pipeline-business", "pipeline-health"], uids);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void A_dashboard_has_uid_version_and_a_templated_prometheus_datasource_used_by_every_panel(string file)
    {
        using var doc = Dashboards.Load(ExternalTool.Monitoring("grafana", "dashboards", file));
        var root = doc.RootElement;
        Assert.Matches("^[a-z0-9-]{1,40}$", root.GetProperty("uid").GetString());
        Assert.True(root.GetProperty("version").GetInt32() >= 1);
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("title").GetString()));
        Assert.False(root.TryGetProperty("id", out var id) && id.ValueKind != JsonValueKind.Null, "an exported id breaks import");

        var ds = root.GetProperty("templating").GetProperty("list").EnumerateArray()
            .Single(v => v.GetProperty("name").GetString() == "datasource");
        Assert.Equal("datasource", ds.GetProperty("type").GetString());
        Assert.Equal("prometheus", ds.GetProperty("query").GetString());

        var panels = root.GetProperty("panels").EnumerateArray().ToList();
        Assert.NotEmpty(panels);
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        foreach (var panel in panels)
        {
            var title = panel.GetProperty("title").GetString();
            Assert.Equal("${datasource}", panel.GetProperty("datasource").GetProperty("uid").GetString());
            var grid = panel.GetProperty("gridPos");
            Assert.InRange(grid.GetProperty("x").GetInt32() + grid.GetProperty("w").GetInt32(), 1, 24);
            var targets = panel.GetProperty("targets").EnumerateArray().ToList();
            Assert.True(targets.Count > 0, $"{file}: panel '{title}' has no query");
            Assert.All(targets, t => Assert.Equal("${datasource}", t.GetProperty("datasource").GetProperty("uid").GetString()));
            Assert.Equal(targets.Count, targets.Select(t => t.GetProperty("refId").GetString()).Distinct().Count());
        }
    }

    [Fact]
    public void Every_dashboard_query_selects_only_contract_recorded_keda_or_kube_state_metrics()
    {
        var known = PromQl.KnownSeriesNames(Dashboards.RecordingRuleNames()).ToHashSet(StringComparer.Ordinal);
        var checkedTargets = 0;
        foreach (var (file, panel, expr) in Dashboards.Targets())
        {
            var names = PromQl.MetricNames(expr);
            var unknown = names.Where(n => !known.Contains(n)).ToList();
            Assert.True(unknown.Count == 0, $"{file} / {panel}: unknown metric(s) {string.Join(", ", unknown)} in {expr}");
            checkedTargets++;
        }

        foreach (var (file, variable, metric, _) in Dashboards.LabelValueVariables())
        {
            Assert.True(known.Contains(metric), $"{file}: variable {variable} reads unknown metric {metric}");
        }

        Assert.True(checkedTargets >= 25, $"only {checkedTargets} dashboard queries found");
    }

    [Fact]
    public void The_metric_name_lexer_finds_selectors_and_ignores_functions_labels_and_variables()
    {
        Assert.Equal(["pipeline_rows_written_total"],
            PromQl.MetricNames("sum by (sink) (rate(pipeline_rows_written_total{sink=~\"$sink\", x=\"a_b\"}[$__rate_interval]))"));
        Assert.Equal(["pipeline:consumer_lag:sum", "pipeline:partitions:count"],
            PromQl.MetricNames("ceil(sum(pipeline:consumer_lag:sum) / $lag_threshold) < on () group_left sum(pipeline:partitions:count) or vector(1e3)"));
        Assert.Equal(["pipline_typo_total"], PromQl.MetricNames("increase(pipline_typo_total[5m] offset 1h) > bool 0"));
    }

    [Fact]
    public void The_autoscaling_dashboard_shows_lag_threshold_desired_and_actual_replicas_and_keda_metrics()
    {
        var exprs = Dashboards.Targets().Where(t => t.File == "pipeline-autoscaling.json").Select(t => t.Expr).ToList();
        Assert.Contains(exprs, e => e.Contains("ceil(", StringComparison.Ordinal) && e.Contains("$lag_threshold", StringComparison.Ordinal)
                                    && e.Contains("pipeline:partitions:count", StringComparison.Ordinal));
        foreach (var metric in new[] { "kube_deployment_status_replicas", "keda_scaler_metrics_value", "keda_scaler_active", "pipeline_consumer_lag{" })
        {
            Assert.Contains(exprs, e => e.Contains(metric, StringComparison.Ordinal));
        }
    }
}
