using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Ecommerce.Pipeline.Cli.Hosting;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.DuckDb;
using Ecommerce.Pipeline.Workload;

namespace Ecommerce.Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline bench --scale N</c>: the DuckDB sink alone, driven to N stored rows in batches of 5,000, so the cost of a
/// batch and the memory can be read as the table grows, then the time to open the file again.
/// </summary>
/// <remarks>
/// <para>
/// The rows look like the stream's: distinct ids, event times advancing at the design's 833 transactions a second
/// (a day holds 72 M rows, so 20 M rows fall in the same day). Now and then a batch is preceded by a replay of an
/// earlier batch, which must come back as duplicates only.
/// </para>
/// <para>
/// How the batch time is read, so that other work on the machine does not pass for growth: at each checkpoint the
/// last <see cref="Window"/> batches before it are timed, and each is paired with a batch written into a fresh
/// reference file (the empty-table case, holding at most <see cref="Window"/> batches), the two alternating which goes
/// first. The figures are the median and 90th percentile of each window; the ratio that judges growth is the large
/// table's median over the reference's median in the same seconds, so a burst of load that slows both cancels out.
/// The run's first <see cref="Window"/> batches (the table at 0 to 100,000 rows) are reported the same way, as the
/// empty table of the run's start.
/// </para>
/// </remarks>
internal static class ScaleBench
{
    public const int BatchRows = 5_000;

    /// <summary>Batches timed at each checkpoint (the last ones before it) and at the start (the empty table).</summary>
    public const int Window = 20;

    /// <param name="Rows">Rows stored when the checkpoint was taken.</param>
    /// <param name="Batch">The last batches before the checkpoint, into the large table.</param>
    /// <param name="Reference">The batches paired with them, into a fresh reference file.</param>
    /// <param name="ReplayMs">The latest replay of an early batch (only the lookup: all duplicates).</param>
    /// <param name="LiveManagedMb">The managed heap after a full collection: all the process holds in .NET, the
    /// deduplication cache included, so an upper bound of the deduplication state.</param>
    /// <param name="RssMb">The process's resident set (DuckDB's buffers included).</param>
    /// <param name="FileMb">The database file.</param>
    public sealed record Checkpoint(long Rows, BatchTimes Batch, BatchTimes Reference, double ReplayMs, double RssMb,
        double LiveManagedMb, double FileMb)
    {
        public double RatioToReference => Batch.MedianMs / Reference.MedianMs;
    }

    public sealed record Result(long Rows, BatchTimes EmptyTable, IReadOnlyList<Checkpoint> Checkpoints, double ReopenMs,
        double FirstBatchAfterReopenMs, double RowsPerSecond);

    /// <summary>1, 5, 10 and 20 million when N reaches them, else 1/20, 1/4, 1/2 of N; and N.</summary>
    public static long[] CheckpointsFor(long rows)
    {
        long[] millions = [1_000_000, 5_000_000, 10_000_000, 20_000_000];
        var marks = rows >= 20_000_000 ? millions.ToList() : [rows / 20, rows / 4, rows / 2];
        marks.Add(rows);
        return [.. marks.Select(m => Math.Max(BatchRows, m / BatchRows * BatchRows)).Distinct().Order()];
    }

    /// <summary>Where each checkpoint's window starts: <see cref="Window"/> batches before it, not before the previous checkpoint.</summary>
    public static long[] WindowStartsFor(long[] marks) =>
        [.. marks.Select((m, i) => Math.Max(i == 0 ? 0 : marks[i - 1], m - (long)Window * BatchRows))];

    public static async Task<Result> RunAsync(long rows, string path, string memoryLimit, TextWriter progress,
        CancellationToken cancellationToken)
    {
        var marks = CheckpointsFor(rows);
        var windowStarts = WindowStartsFor(marks);
        // Twenty replays over the run (at most one per 100 batches), each of an earlier batch in order: past the first
        // 100,000 rows that batch has left the cache of recent keys, so the table must answer.
        var replayEvery = Math.Clamp(rows / BatchRows / 20, 5, 100);
        var checkpoints = new List<Checkpoint>();
        var first = new List<double>();
        var window = new List<double>();
        var referenceWindow = new List<double>();
        double lastReplayMs = double.NaN;
        var start = new DateTime(2026, 12, 7, 0, 0, 0, DateTimeKind.Utc);
        var seed = Random.Shared.Next(1, int.MaxValue).ToString(CultureInfo.InvariantCulture);
        long stored = 0;
        var total = Stopwatch.StartNew();
        var sink = new DuckDbSink(path, memoryLimit);
        ReferenceTable? reference = null;
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

                    lastReplayMs = replayMs;
                }

                var inWindow = mark < marks.Length && stored >= windowStarts[mark];
                if (inWindow)
                {
                    reference ??= new ReferenceTable(path + ".reference", memoryLimit, seed, start);
                }

                // In a window the two writes alternate which goes first, so neither always follows the other's work.
                var referenceFirst = inWindow && window.Count % 2 == 1;
                if (referenceFirst)
                {
                    referenceWindow.Add(await reference!.WriteAsync(cancellationToken));
                }

                var (ms, written) = await TimedAsync(sink, Batch(seed, start, stored), cancellationToken);
                if (written.Inserted != BatchRows)
                {
                    throw new RuntimeFailureException($"bench --scale: a new batch stored {written.Inserted} of {BatchRows} rows.");
                }

                if (inWindow && !referenceFirst)
                {
                    referenceWindow.Add(await reference!.WriteAsync(cancellationToken));
                }

                stored += BatchRows;
                if (first.Count < Window)
                {
                    first.Add(ms);
                }

                if (inWindow)
                {
                    window.Add(ms);
                }

                if (mark < marks.Length && stored >= marks[mark])
                {
                    await reference!.DisposeAsync();
                    reference = null;
                    var checkpoint = new Checkpoint(stored, BatchTimes.Of(window), BatchTimes.Of(referenceWindow), lastReplayMs,
                        ProcessMemory.ResidentMegabytes(), GC.GetTotalMemory(forceFullCollection: true) / 1048576.0,
                        new FileInfo(path).Length / 1048576.0);
                    checkpoints.Add(checkpoint);
                    window.Clear();
                    referenceWindow.Clear();
                    await progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"bench: {stored:N0} rows, batch median {checkpoint.Batch.MedianMs:F1} ms (reference {checkpoint.Reference.MedianMs:F1} ms, ratio {checkpoint.RatioToReference:F2}), replayed batch {checkpoint.ReplayMs:F1} ms, RSS {checkpoint.RssMb:F0} MB, {total.Elapsed.TotalSeconds:F0} s"));
                    mark++;
                }
            }
        }
        finally
        {
            if (reference is not null)
            {
                await reference.DisposeAsync();
            }

            await sink.DisposeAsync();
        }

        var rate = stored / total.Elapsed.TotalSeconds;
        var opening = Stopwatch.StartNew();
        sink = new DuckDbSink(path, memoryLimit);
        var reopenMs = opening.Elapsed.TotalMilliseconds;
        try
        {
            var (firstMs, _) = await TimedAsync(sink, Batch(seed, start, stored), cancellationToken);
            return new Result(stored, BatchTimes.Of(first), checkpoints, reopenMs, firstMs, rate);
        }
        finally
        {
            await sink.DisposeAsync();
        }
    }

    internal static async Task<(double Ms, RowWriteResult Written)> TimedAsync(DuckDbSink sink, TransactionRow[] batch,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var written = await sink.WriteRowsAsync(batch, cancellationToken);
        return (Stopwatch.GetElapsedTime(started).TotalMilliseconds, written);
    }

    internal static TransactionRow[] Batch(string seed, DateTime start, long first) =>
        StoredRows.Batch(seed, start, first, BatchRows);
}
