using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Ecommerce.Pipeline.Cli.Hosting;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.DuckDb;

namespace Ecommerce.Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline bench --scale N</c>: the DuckDB sink alone, driven to N stored rows in batches of 5,000, so the cost of a
/// batch and the memory can be read as the table grows, then the time to open the file again.
/// </summary>
/// <remarks>
/// The rows look like the stream's: distinct ids, event times advancing at the design's 833 transactions a second
/// (a day holds 72 M rows, so 20 M rows fall in the same day). Now and then a batch is preceded by a replay of an
/// earlier batch, which must come back as duplicates only.
/// </remarks>
internal static class ScaleBench
{
    public const int BatchRows = 5_000;

    /// <summary>Batches timed at each checkpoint (the last ones before it) and at the start (the empty table).</summary>
    private const int Window = 20;

    private const double EventsPerSecond = 833;

    public sealed record Checkpoint(long Rows, double BatchMs, double ReplayMs, double RssMb, double ManagedMb, double FileMb);

    public sealed record Result(long Rows, double EmptyBatchMs, IReadOnlyList<Checkpoint> Checkpoints, double ReopenMs,
        double FirstBatchAfterReopenMs, double RowsPerSecond);

    /// <summary>1, 5, 10 and 20 million when N reaches them, else 1/20, 1/4, 1/2 of N; and N.</summary>
    public static long[] CheckpointsFor(long rows)
    {
        long[] millions = [1_000_000, 5_000_000, 10_000_000, 20_000_000];
        var marks = rows >= 20_000_000 ? millions.ToList() : [rows / 20, rows / 4, rows / 2];
        marks.Add(rows);
        return [.. marks.Select(m => Math.Max(BatchRows, m / BatchRows * BatchRows)).Distinct().Order()];
    }

    public static async Task<Result> RunAsync(long rows, string path, string memoryLimit, TextWriter progress,
        CancellationToken cancellationToken)
    {
        var marks = CheckpointsFor(rows);
        // Twenty replays over the run (at most one per 100 batches), each of an earlier batch in order: past the first
        // 100,000 rows that batch has left the cache of recent keys, so the table must answer.
        var replayEvery = Math.Clamp(rows / BatchRows / 20, 5, 100);
        var checkpoints = new List<Checkpoint>();
        var recent = new Queue<double>();
        var replays = new List<double>();
        var start = new DateTime(2026, 12, 7, 0, 0, 0, DateTimeKind.Utc);
        var seed = Random.Shared.Next(1, int.MaxValue).ToString(CultureInfo.InvariantCulture);
        double emptyBatchMs = 0;
        long stored = 0;
        var total = Stopwatch.StartNew();
        var sink = new DuckDbSink(path, memoryLimit);
        try
        {
            var mark = 0;
            while (stored < rows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batchIndex = stored / BatchRows;
                if (batchIndex > 0 && batchIndex % replayEvery == 0)
                {
                    // An early batch again (a replay days later): all duplicates, found in the table, not the cache.
                    var replay = Batch(seed, start, (batchIndex / replayEvery - 1) * BatchRows);
                    var (replayMs, again) = await TimedAsync(sink, replay, cancellationToken);
                    if (again.Inserted != 0 || again.Duplicates != BatchRows)
                    {
                        throw new RuntimeFailureException(
                            $"bench --scale: a replayed batch stored {again.Inserted} rows and counted {again.Duplicates} duplicates; expected 0 and {BatchRows}.");
                    }

                    replays.Add(replayMs);
                }

                var (ms, written) = await TimedAsync(sink, Batch(seed, start, stored), cancellationToken);
                if (written.Inserted != BatchRows)
                {
                    throw new RuntimeFailureException($"bench --scale: a new batch stored {written.Inserted} of {BatchRows} rows.");
                }

                stored += BatchRows;
                recent.Enqueue(ms);
                if (recent.Count > Window)
                {
                    recent.Dequeue();
                }

                if (stored == Window * BatchRows)
                {
                    emptyBatchMs = recent.Average();
                }

                if (mark < marks.Length && stored >= marks[mark])
                {
                    var checkpoint = new Checkpoint(stored, recent.Average(), replays.Count > 0 ? replays[^1] : double.NaN,
                        ProcessMemory.ResidentMegabytes(), GC.GetTotalMemory(false) / 1048576.0, new FileInfo(path).Length / 1048576.0);
                    checkpoints.Add(checkpoint);
                    await progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"bench: {stored:N0} rows, batch {checkpoint.BatchMs:F1} ms, replayed batch {checkpoint.ReplayMs:F1} ms, RSS {checkpoint.RssMb:F0} MB, {total.Elapsed.TotalSeconds:F0} s"));
                    mark++;
                }
            }

            if (emptyBatchMs == 0)
            {
                emptyBatchMs = recent.Average();
            }
        }
        finally
        {
            await sink.DisposeAsync();
        }

        var rate = stored / total.Elapsed.TotalSeconds;
        var opening = Stopwatch.StartNew();
        sink = new DuckDbSink(path, memoryLimit);
        var reopenMs = opening.Elapsed.TotalMilliseconds;
        try
        {
            var (firstMs, _) = await TimedAsync(sink, Batch(seed, start, stored), cancellationToken);
            return new Result(stored, emptyBatchMs, checkpoints, reopenMs, firstMs, rate);
        }
        finally
        {
            await sink.DisposeAsync();
        }
    }

    public static void Print(Result result, TextWriter o)
    {
        var inv = CultureInfo.InvariantCulture;
        o.WriteLine("| stored rows | batch of 5,000 (mean of last 20) | ratio to empty table | replayed old batch | RSS | managed heap | file |");
        o.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        o.WriteLine(string.Create(inv, $"| 0 → {Window * BatchRows:N0} | {result.EmptyBatchMs:F1} ms | 1.00 | | | | |"));
        foreach (var c in result.Checkpoints)
        {
            o.WriteLine(string.Create(inv,
                $"| {c.Rows:N0} | {c.BatchMs:F1} ms | {c.BatchMs / result.EmptyBatchMs:F2} | {c.ReplayMs:F1} ms | {c.RssMb:F0} MB | {c.ManagedMb:F0} MB | {c.FileMb:F0} MB |"));
        }

        o.WriteLine(string.Create(inv, $"| reopen (open until ready) | {result.ReopenMs:F0} ms | | | | | |"));
        o.WriteLine(string.Create(inv, $"| first batch after reopen | {result.FirstBatchAfterReopenMs:F1} ms | | | | | |"));
        o.WriteLine(string.Create(inv, $"| overall | {result.RowsPerSecond:N0} rows/s | | | | | |"));
    }

    public static void WriteJson(Utf8JsonWriter writer, Result result)
    {
        writer.WriteStartObject();
        writer.WriteNumber("rows", result.Rows);
        writer.WriteNumber("empty_table_batch_ms", Math.Round(result.EmptyBatchMs, 2));
        writer.WriteStartArray("checkpoints");
        foreach (var c in result.Checkpoints)
        {
            writer.WriteStartObject();
            writer.WriteNumber("rows", c.Rows);
            writer.WriteNumber("batch_ms", Math.Round(c.BatchMs, 2));
            if (!double.IsNaN(c.ReplayMs))
            {
                writer.WriteNumber("replayed_batch_ms", Math.Round(c.ReplayMs, 2));
            }

            writer.WriteNumber("rss_mb", Math.Round(c.RssMb, 1));
            writer.WriteNumber("managed_mb", Math.Round(c.ManagedMb, 1));
            writer.WriteNumber("file_mb", Math.Round(c.FileMb, 1));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteNumber("reopen_ms", Math.Round(result.ReopenMs, 1));
        writer.WriteNumber("first_batch_after_reopen_ms", Math.Round(result.FirstBatchAfterReopenMs, 2));
        writer.WriteNumber("rows_per_sec", Math.Round(result.RowsPerSecond, 1));
        writer.WriteEndObject();
    }

    private static async Task<(double Ms, RowWriteResult Written)> TimedAsync(DuckDbSink sink, TransactionRow[] batch,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var written = await sink.WriteRowsAsync(batch, cancellationToken);
        return (Stopwatch.GetElapsedTime(started).TotalMilliseconds, written);
    }

    private static TransactionRow[] Batch(string seed, DateTime start, long first)
    {
        var ingested = DateTime.UtcNow;
        var batch = new TransactionRow[BatchRows];
        for (var i = 0; i < batch.Length; i++)
        {
            var n = first + i;
            var at = start.AddTicks((long)(n / EventsPerSecond * TimeSpan.TicksPerSecond) / 10 * 10);
            batch[i] = new TransactionRow
            {
                TransactionId = string.Create(CultureInfo.InvariantCulture, $"tx-{seed}-{n}"),
                UserId = string.Create(CultureInfo.InvariantCulture, $"u{n % 50_000:D6}"),
                ProductId = string.Create(CultureInfo.InvariantCulture, $"p-{n % 2_000}"),
                Price = 1m + n % 100_000 / 100m,
                Currency = "USD",
                EventTimestamp = at,
                PaymentMethod = "credit_card",
                PaymentMethodRaw = "CREDIT_CARD",
                CountryCode = "DE",
                Continent = "EU",
                City = "Berlin",
                Latitude = 52.52,
                Longitude = 13.405,
                GeolocationRaw = "52.52,13.405",
                KafkaTopic = "transactions_stream",
                KafkaPartition = (int)(n % 6),
                KafkaOffset = n / 6,
                KafkaTimestamp = at,
                IngestedAt = ingested,
                SourceIndex = i,
            };
        }

        return batch;
    }
}
