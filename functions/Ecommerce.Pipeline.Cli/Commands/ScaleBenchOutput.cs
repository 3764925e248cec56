using System.Globalization;
using System.Text.Json;

namespace Ecommerce.Pipeline.Cli.Commands;

/// <summary>The table and the JSON of <c>pipeline bench --scale</c>.</summary>
internal static class ScaleBenchOutput
{
    public static void Print(ScaleBench.Result result, TextWriter o)
    {
        var inv = CultureInfo.InvariantCulture;
        o.WriteLine(string.Create(inv,
            $"Batch of {ScaleBench.BatchRows:N0} rows: median / p90 of the last {ScaleBench.Window} batches before each checkpoint; each paired with a batch into a fresh reference table in the same seconds."));
        o.WriteLine("Growth = large table's median / reference's median (the same window); the run's first batches are the empty table at the start.");
        o.WriteLine("| stored rows | batch median / p90 | reference (empty table) median / p90 | growth (median ratio) | ratio to the run's empty table | replayed old batch | RSS | live managed heap | file |");
        o.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var empty = result.EmptyTable;
        o.WriteLine(string.Create(inv,
            $"| 0 → {empty.Count * ScaleBench.BatchRows:N0} (run's empty table) | {empty.MedianMs:F1} / {empty.P90Ms:F1} ms | | | 1.00 | | | | |"));
        foreach (var c in result.Checkpoints)
        {
            o.WriteLine(string.Create(inv,
                $"| {c.Rows:N0} | {c.Batch.MedianMs:F1} / {c.Batch.P90Ms:F1} ms | {c.Reference.MedianMs:F1} / {c.Reference.P90Ms:F1} ms | {c.RatioToReference:F2} | {c.Batch.MedianMs / empty.MedianMs:F2} | {c.ReplayMs:F1} ms | {c.RssMb:F0} MB | {c.LiveManagedMb:F1} MB | {c.FileMb:F0} MB |"));
        }

        o.WriteLine(string.Create(inv, $"| reopen (open until ready) | {result.ReopenMs:F0} ms | | | | | | | |"));
        o.WriteLine(string.Create(inv, $"| first batch after reopen | {result.FirstBatchAfterReopenMs:F1} ms | | | | | | | |"));
        o.WriteLine(string.Create(inv, $"| overall | {result.RowsPerSecond:N0} rows/s | | | | | | | |"));
    }

    public static void WriteJson(Utf8JsonWriter writer, ScaleBench.Result result)
    {
        writer.WriteStartObject();
        writer.WriteNumber("rows", result.Rows);
        writer.WriteString("method", $"median and p90 of the last {ScaleBench.Window} batches before each checkpoint; growth_ratio = batch median / median of a fresh reference table's batches, alternated with them");
        WriteTimes(writer, "empty_table", result.EmptyTable);
        writer.WriteStartArray("checkpoints");
        foreach (var c in result.Checkpoints)
        {
            writer.WriteStartObject();
            writer.WriteNumber("rows", c.Rows);
            WriteTimes(writer, "batch", c.Batch);
            WriteTimes(writer, "reference", c.Reference);
            writer.WriteNumber("growth_ratio", Math.Round(c.RatioToReference, 3));
            writer.WriteNumber("ratio_to_empty_table", Math.Round(c.Batch.MedianMs / result.EmptyTable.MedianMs, 3));
            if (!double.IsNaN(c.ReplayMs))
            {
                writer.WriteNumber("replayed_batch_ms", Math.Round(c.ReplayMs, 2));
            }

            writer.WriteNumber("rss_mb", Math.Round(c.RssMb, 1));
            writer.WriteNumber("live_managed_mb", Math.Round(c.LiveManagedMb, 1));
            writer.WriteNumber("file_mb", Math.Round(c.FileMb, 1));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteNumber("reopen_ms", Math.Round(result.ReopenMs, 1));
        writer.WriteNumber("first_batch_after_reopen_ms", Math.Round(result.FirstBatchAfterReopenMs, 2));
        writer.WriteNumber("rows_per_sec", Math.Round(result.RowsPerSecond, 1));
        writer.WriteEndObject();
    }

    private static void WriteTimes(Utf8JsonWriter writer, string name, BatchTimes times)
    {
        writer.WriteStartObject(name);
        writer.WriteNumber("median_ms", Math.Round(times.MedianMs, 2));
        writer.WriteNumber("p90_ms", Math.Round(times.P90Ms, 2));
        writer.WriteNumber("batches", times.Count);
        writer.WriteEndObject();
    }
}
