using System.Globalization;
using System.Text;
using System.Text.Json;
using Ecommerce.Pipeline.Core.Configuration;

namespace Ecommerce.Pipeline.Cli.Autoscaling;

internal enum ReportFormat
{
    Table,
    Csv,
    Json,
}

/// <summary>Renders a simulation: the samples every <c>stepMs</c>, then the summary. Invariant culture throughout.</summary>
internal static class SimulationReport
{
    public const string CsvHeader = "time_s,input_per_s,ready_replicas,desired_replicas,total_lag,delay_s,keda_metric";

    public static IEnumerable<SimulationSample> Rows(SimulationResult result, long stepMs) =>
        result.Samples.Where(s => s.TimeMs % stepMs == 0 || s.TimeMs == result.Samples[^1].TimeMs);

    public static string Format(SimulationResult result, ReportFormat format, long stepMs, string source) => format switch
    {
        ReportFormat.Csv => Csv(result, stepMs),
        ReportFormat.Json => Json(result, stepMs, source),
        _ => Table(result, stepMs, source),
    };

    public static string SummaryLine(SimulationSummary s)
    {
        var drain = s.DrainedAtMs is { } drained
            ? Inv($"drained at {Clock(drained)}, {Seconds(s.TimeToDrainMs!.Value)} s after the peak")
            : "not drained by the end of the profile";
        var recovery = s.MaxLag == 0 ? ""
            : s.RecoveredAtMs is { } recovered ? Inv($", back to 0 at {Clock(recovered)} ({Seconds(recovered - s.MaxLagAtMs)} s later)")
            : ", never back to 0";
        return Inv($"summary: max lag {s.MaxLag:N0} at {Clock(s.MaxLagAtMs)}{recovery}; max delay {s.MaxDelaySeconds:0.0} s at {Clock(s.MaxDelayAtMs)}; ")
               + Inv($"max replicas {s.MaxReplicas} ({s.MaxReadyReplicas} ready); peak ended at {Clock(s.PeakEndMs)}, {drain}; final lag {s.FinalLag:N0}");
    }

    private static string Table(SimulationResult result, long stepMs, string source)
    {
        var o = result.Options;
        var so = o.ScaledObject;
        var k = so.Kafka;
        var text = new StringBuilder();
        text.AppendLine(Inv($"ScaledObject {(so.Name.Length > 0 ? so.Name : "?")} ({source}): lagThreshold {k.LagThreshold}, activationLagThreshold {k.ActivationLagThreshold}, ")
                        + Inv($"replicas {so.MinReplicaCount}..{so.MaxReplicaCount}, pollingInterval {so.PollingIntervalSeconds}s, cooldownPeriod {so.CooldownPeriodSeconds}s")
                        + (k.AllowIdleConsumers ? ", allowIdleConsumers" : "") + (k.LimitToPartitionsWithLag ? ", limitToPartitionsWithLag" : ""));
        text.AppendLine(Inv($"profile {o.Profile}; {o.Partitions} partitions; {o.ReplicaThroughput:N0} msg/s per replica; startup {DurationParser.Format(TimeSpan.FromMilliseconds(o.StartupMs))}; HPA sync {o.HpaSyncPeriodMs / 1000}s"));
        text.AppendLine(Inv($"{"time",8} {"input/s",9} {"ready/desired",13} {"lag",12} {"delay_s",8} {"keda_metric",12}"));
        foreach (var s in Rows(result, stepMs))
        {
            text.AppendLine(Inv($"{Clock(s.TimeMs),8} {s.InputRate,9:0} {$"{s.ReadyReplicas}/{s.DesiredReplicas}",13} {s.TotalLag,12:N0} {s.DelaySeconds,8:0.0} {s.Metric,12:N0}"));
        }

        text.AppendLine(SummaryLine(result.Summary));
        return text.ToString();
    }

    private static string Csv(SimulationResult result, long stepMs)
    {
        var text = new StringBuilder(CsvHeader).Append('\n');
        foreach (var s in Rows(result, stepMs))
        {
            text.Append(Inv($"{Seconds(s.TimeMs)},{s.InputRate:0.###},{s.ReadyReplicas},{s.DesiredReplicas},{s.TotalLag},{s.DelaySeconds:0.###},{s.Metric}")).Append('\n');
        }

        return text.ToString();
    }

    private static string Json(SimulationResult result, long stepMs, string source)
    {
        var o = result.Options;
        var so = o.ScaledObject;
        var s = result.Summary;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartObject("scaledObject");
            json.WriteString("source", source);
            json.WriteString("name", so.Name);
            json.WriteNumber("pollingInterval", so.PollingIntervalSeconds);
            json.WriteNumber("cooldownPeriod", so.CooldownPeriodSeconds);
            json.WriteNumber("minReplicaCount", so.MinReplicaCount);
            json.WriteNumber("maxReplicaCount", so.MaxReplicaCount);
            json.WriteNumber("lagThreshold", so.Kafka.LagThreshold);
            json.WriteNumber("activationLagThreshold", so.Kafka.ActivationLagThreshold);
            json.WriteBoolean("allowIdleConsumers", so.Kafka.AllowIdleConsumers);
            json.WriteBoolean("limitToPartitionsWithLag", so.Kafka.LimitToPartitionsWithLag);
            json.WriteEndObject();
            json.WriteString("profile", o.Profile.ToString());
            json.WriteNumber("partitions", o.Partitions);
            json.WriteNumber("replicaThroughput", o.ReplicaThroughput);
            json.WriteNumber("startupSeconds", o.StartupMs / 1000.0);
            json.WriteNumber("hpaSyncPeriodSeconds", o.HpaSyncPeriodMs / 1000.0);
            json.WriteStartArray("samples");
            foreach (var row in Rows(result, stepMs))
            {
                json.WriteStartObject();
                json.WriteNumber("timeSeconds", row.TimeMs / 1000.0);
                json.WriteNumber("inputPerSecond", Math.Round(row.InputRate, 3));
                json.WriteNumber("readyReplicas", row.ReadyReplicas);
                json.WriteNumber("desiredReplicas", row.DesiredReplicas);
                json.WriteNumber("totalLag", row.TotalLag);
                json.WriteNumber("delaySeconds", Math.Round(row.DelaySeconds, 3));
                json.WriteNumber("kedaMetric", row.Metric);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartObject("summary");
            json.WriteNumber("maxLag", s.MaxLag);
            json.WriteNumber("maxLagAtSeconds", s.MaxLagAtMs / 1000.0);
            json.WriteNumber("maxDelaySeconds", Math.Round(s.MaxDelaySeconds, 3));
            json.WriteNumber("maxDelayAtSeconds", s.MaxDelayAtMs / 1000.0);
            json.WriteNumber("maxReplicas", s.MaxReplicas);
            json.WriteNumber("maxReadyReplicas", s.MaxReadyReplicas);
            json.WriteNumber("peakEndSeconds", s.PeakEndMs / 1000.0);
            if (s.DrainedAtMs is { } drained)
            {
                json.WriteNumber("drainedAtSeconds", drained / 1000.0);
                json.WriteNumber("timeToDrainSeconds", s.TimeToDrainMs!.Value / 1000.0);
            }
            else
            {
                json.WriteNull("drainedAtSeconds");
                json.WriteNull("timeToDrainSeconds");
            }

            if (s.RecoveredAtMs is { } back)
            {
                json.WriteNumber("recoveredAtSeconds", back / 1000.0);
            }
            else
            {
                json.WriteNull("recoveredAtSeconds");
            }

            json.WriteNumber("finalLag", s.FinalLag);
            json.WriteNumber("produced", s.Produced);
            json.WriteNumber("consumed", s.Consumed);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static string Clock(long ms)
    {
        var t = TimeSpan.FromMilliseconds(ms);
        var clock = Inv($"{(int)t.TotalMinutes}:{t.Seconds:00}");
        return t.Milliseconds == 0 ? clock : Inv($"{clock}.{t.Milliseconds / 100}");
    }

    private static string Seconds(long ms) => (ms / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);

    private static string Inv(FormattableString text) => FormattableString.Invariant(text);
}
