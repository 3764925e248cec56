using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ecommerce.Pipeline.Metrics.Tests.Support;

/// <summary>Just enough PromQL lexing to list the metric names an expression selects.</summary>
internal static partial class PromQl
{
    /// <summary>The metric names of docs/contract.md (Metrics), as the exposition shows them (histograms by their three series).</summary>
    public static readonly string[] ContractMetrics =
    [
        "pipeline_messages_consumed_total", "pipeline_rows_written_total", "pipeline_dead_letters_total",
        "pipeline_duplicates_total", "pipeline_batch_size", "pipeline_sink_write_duration_seconds",
        "pipeline_end_to_end_latency_seconds", "pipeline_consumer_lag", "pipeline_sink_errors_total",
        "pipeline_sink_retries_total",
    ];

    public static readonly string[] Histograms =
        ["pipeline_batch_size", "pipeline_sink_write_duration_seconds", "pipeline_end_to_end_latency_seconds"];

    /// <summary>Ours beyond the contract: total lag and the business counters.</summary>
    public static readonly string[] ExtraMetrics = ["pipeline_consumer_group_lag", "pipeline_revenue_total", "pipeline_orders_total"];

    /// <summary>KEDA operator and kube-state-metrics series the autoscaling views use.</summary>
    public static readonly string[] ClusterMetrics =
    [
        "keda_scaler_metrics_value", "keda_scaler_active", "kube_deployment_status_replicas",
        "kube_horizontalpodautoscaler_status_current_replicas", "kube_horizontalpodautoscaler_spec_max_replicas",
    ];

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool", "and", "or", "unless",
        "inf", "nan", "Inf", "NaN",
    };

    /// <summary>Every series name a selector may name: ours (with histogram suffixes), the cluster ones and the recorded ones.</summary>
    public static IEnumerable<string> KnownSeriesNames(IEnumerable<string> recordingRules)
    {
        foreach (var m in ContractMetrics.Concat(ExtraMetrics))
        {
            yield return m;
        }

        foreach (var h in Histograms)
        {
            yield return h + "_bucket";
            yield return h + "_sum";
            yield return h + "_count";
        }

        foreach (var m in ClusterMetrics.Concat(recordingRules))
        {
            yield return m;
        }
    }

    /// <summary>The metric names an expression selects.</summary>
    public static IReadOnlyList<string> MetricNames(string expr)
    {
        var s = Strings().Replace(expr, "\"\"");
        s = Braces().Replace(s, " ");
        s = Brackets().Replace(s, " ");
        s = LabelLists().Replace(s, " ");
        var names = new List<string>();
        foreach (Match m in Identifier().Matches(s))
        {
            var id = m.Groups["id"].Value;
            if (!Keywords.Contains(id) && !m.Groups["call"].Success && !names.Contains(id))
            {
                names.Add(id);
            }
        }

        return names;
    }

    /// <summary>Grafana's variables replaced by values a test Prometheus understands.</summary>
    public static string SubstituteGrafanaVariables(string expr) => expr
        .Replace("$__rate_interval", "1m", StringComparison.Ordinal)
        .Replace("$__interval", "10s", StringComparison.Ordinal)
        .Replace("$lag_threshold", "100", StringComparison.Ordinal)
        .Replace("$scaledobject", "pipeline-processor", StringComparison.Ordinal)
        .Replace("$deployment", "pipeline-processor", StringComparison.Ordinal)
        .Replace("$topic", ".*", StringComparison.Ordinal)
        .Replace("$sink", ".*", StringComparison.Ordinal)
        .Replace("$currency", ".*", StringComparison.Ordinal);

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Braces();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Brackets();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex LabelLists();

    [GeneratedRegex(@"(?<![\w$.])(?<id>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<call>\s*\()?")]
    private static partial Regex Identifier();
}

/// <summary>The dashboards of infra/monitoring/grafana/dashboards and the PromQL inside them.</summary>
internal static class Dashboards
{
    public static IReadOnlyList<string> Files { get; } =
        [.. Directory.GetFiles(ExternalTool.Monitoring("grafana", "dashboards"), "*.json").Order(StringComparer.Ordinal)];

    public static JsonDocument Load(string file) => JsonDocument.Parse(File.ReadAllText(file));

    /// <summary>(dashboard file, panel title, expression) for every panel target.</summary>
    public static IEnumerable<(string File, string Panel, string Expr)> Targets()
    {
        foreach (var file in Files)
        {
            using var doc = Load(file);
            foreach (var panel in doc.RootElement.GetProperty("panels").EnumerateArray())
            {
                foreach (var target in panel.GetProperty("targets").EnumerateArray())
                {
                    yield return (Path.GetFileName(file), panel.GetProperty("title").GetString()!, target.GetProperty("expr").GetString()!);
                }
            }
        }
    }

    /// <summary>(file, variable, metric, label) for every <c>label_values(metric, label)</c> variable.</summary>
    public static IEnumerable<(string File, string Variable, string Metric, string Label)> LabelValueVariables()
    {
        foreach (var file in Files)
        {
            using var doc = Load(file);
            foreach (var v in doc.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray())
            {
                if (v.GetProperty("type").GetString() != "query")
                {
                    continue;
                }

                var def = v.GetProperty("definition").GetString()!;
                var m = System.Text.RegularExpressions.Regex.Match(def, @"^label_values\((\w+),\s*(\w+)\)$");
                if (!m.Success)
                {
                    throw new InvalidOperationException($"{file}: variable {v.GetProperty("name")} has an unexpected query {def}");
                }

                yield return (Path.GetFileName(file), v.GetProperty("name").GetString()!, m.Groups[1].Value, m.Groups[2].Value);
            }
        }
    }

    /// <summary>The <c>record:</c> names of the recording rules file (one per line, so a regex suffices).</summary>
    public static IReadOnlyList<string> RecordingRuleNames() =>
    [
        .. File.ReadAllLines(ExternalTool.Monitoring("prometheus", "rules", "pipeline.rules.yml"))
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("- record:", StringComparison.Ordinal))
            .Select(l => l["- record:".Length..].Trim()),
    ];
}
