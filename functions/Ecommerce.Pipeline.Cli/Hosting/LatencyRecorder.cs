using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;

namespace Ecommerce.Pipeline.Cli.Hosting;

/// <summary>
/// End-to-end latency (Kafka timestamp → stored) in 1 ms buckets up to 60 s, for the live status line and the bench.
/// Lock-free: one Interlocked increment per stored row, after the sink acknowledged.
/// </summary>
internal sealed class LatencyRecorder : IPipelineMetrics
{
    private const int MaxMs = 60_000;
    private long[] _buckets = new long[MaxMs + 1];

    public void EndToEndLatency(IReadOnlyList<TransactionRow> rows, DateTimeOffset storedAt)
    {
        var buckets = Volatile.Read(ref _buckets);
        for (var i = 0; i < rows.Count; i++)
        {
            var ms = (long)(storedAt - rows[i].KafkaTimestamp).TotalMilliseconds;
            Interlocked.Increment(ref buckets[Math.Clamp(ms, 0, MaxMs)]);
        }
    }

    /// <summary>Percentiles (0–100) in ms over everything recorded since the last reset; null when nothing was.</summary>
    public double[]? Percentiles(params double[] percentiles) => Percentiles(Volatile.Read(ref _buckets), percentiles);

    /// <summary>A copy of the counts, to compute percentiles over a window later (see <see cref="Since"/>).</summary>
    public long[] Snapshot() => (long[])Volatile.Read(ref _buckets).Clone();

    /// <summary>Percentiles of what was recorded after <paramref name="earlier"/> was taken.</summary>
    public double[]? Since(long[] earlier, params double[] percentiles)
    {
        var now = Snapshot();
        for (var i = 0; i < now.Length && i < earlier.Length; i++)
        {
            now[i] -= earlier[i];
        }

        return Percentiles(now, percentiles);
    }

    private static double[]? Percentiles(long[] buckets, double[] percentiles)
    {
        long total = 0;
        foreach (var b in buckets)
        {
            total += b;
        }

        if (total == 0)
        {
            return null;
        }

        var result = new double[percentiles.Length];
        for (var p = 0; p < percentiles.Length; p++)
        {
            var rank = (long)Math.Ceiling(percentiles[p] / 100 * total);
            long seen = 0;
            for (var ms = 0; ms < buckets.Length; ms++)
            {
                seen += buckets[ms];
                if (seen >= Math.Max(rank, 1))
                {
                    result[p] = ms;
                    break;
                }
            }
        }

        return result;
    }

    public void Reset() => Volatile.Write(ref _buckets, new long[MaxMs + 1]);

    public void BatchConsumed(int messages) { }
    public void RowsWritten(string sink, int rows) { }
    public void DeadLetters(IReadOnlyList<DeadLetter> deadLetters) { }
    public void Duplicates(int count) { }
    public void SinkWrite(string sink, TimeSpan duration) { }
    public void SinkError(string sink, string kind) { }
    public void SinkRetry(string sink) { }
    public void SinkWait(string sink, string reason, TimeSpan delay) { }
}

/// <summary>Fans batch metrics out to several recorders.</summary>
internal sealed class CompositeMetrics(params IPipelineMetrics[] targets) : IPipelineMetrics
{
    public void BatchConsumed(int messages) { foreach (var t in targets) { t.BatchConsumed(messages); } }
    public void RowsWritten(string sink, int rows) { foreach (var t in targets) { t.RowsWritten(sink, rows); } }
    public void DeadLetters(IReadOnlyList<DeadLetter> deadLetters) { foreach (var t in targets) { t.DeadLetters(deadLetters); } }
    public void Duplicates(int count) { foreach (var t in targets) { t.Duplicates(count); } }
    public void SinkWrite(string sink, TimeSpan duration) { foreach (var t in targets) { t.SinkWrite(sink, duration); } }
    public void SinkError(string sink, string kind) { foreach (var t in targets) { t.SinkError(sink, kind); } }
    public void SinkRetry(string sink) { foreach (var t in targets) { t.SinkRetry(sink); } }
    public void SinkWait(string sink, string reason, TimeSpan delay) { foreach (var t in targets) { t.SinkWait(sink, reason, delay); } }
    public void EndToEndLatency(IReadOnlyList<TransactionRow> rows, DateTimeOffset storedAt) { foreach (var t in targets) { t.EndToEndLatency(rows, storedAt); } }
}
