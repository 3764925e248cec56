namespace Ecommerce.Pipeline.BigQuery.StorageWrite;

/// <summary>
/// Whether a batch may be written on the watermarks this sink already holds, for a host that never reports partition
/// assignments (the Functions host): per Kafka partition, the highest offset this sink acknowledged (rows and dead
/// letters together) and when. A batch whose records of a partition start right after that offset, within
/// <see cref="Window"/> of that acknowledgement, continues this sink's own writing: nobody else can have written the
/// partition in between except across a rebalance and back, which a crashed writer cannot complete within the Kafka
/// session timeout (docs/exactly-once.md, "The Functions host"). Anything else (the first batch of a partition, a gap,
/// a rewind, a late batch, a failure) must read the watermarks from the table again.
/// </summary>
internal sealed class WatermarkTrust
{
    private readonly TimeProvider _clock;
    private readonly Dictionary<int, (long Offset, DateTimeOffset At)> _acknowledged = [];
    private readonly Lock _lock = new();

    public WatermarkTrust(TimeSpan window, TimeProvider clock)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, TimeSpan.Zero);
        Window = window;
        _clock = clock;
    }

    /// <summary>How long after an acknowledgement the next batch of its partition is still trusted; zero trusts none.</summary>
    public TimeSpan Window { get; }

    /// <summary>The partitions of <paramref name="records"/> that do not continue this sink's last acknowledged batch in time.</summary>
    public IReadOnlyList<int> Untrusted(IEnumerable<(int Partition, long Offset)> records)
    {
        var now = _clock.GetUtcNow();
        lock (_lock)
        {
            return [.. records.GroupBy(r => r.Partition).Where(g => !Continues(g.Key, g.Min(r => r.Offset), now)).Select(g => g.Key)];
        }
    }

    /// <summary>The records are stored (or skipped as stored): the next batch of each partition should start after them.</summary>
    public void Acknowledged(IEnumerable<(int Partition, long Offset)> records)
    {
        if (Window <= TimeSpan.Zero)
        {
            return;
        }

        var now = _clock.GetUtcNow();
        lock (_lock)
        {
            foreach (var partition in records.GroupBy(r => r.Partition))
            {
                _acknowledged[partition.Key] = (partition.Max(r => r.Offset), now);
            }
        }
    }

    /// <summary>A write of these partitions failed: what it stored is only in the table.</summary>
    public void Distrust(IEnumerable<int> partitions)
    {
        lock (_lock)
        {
            foreach (var partition in partitions)
            {
                _acknowledged.Remove(partition);
            }
        }
    }

    private bool Continues(int partition, long firstOffset, DateTimeOffset now) =>
        Window > TimeSpan.Zero
        && _acknowledged.TryGetValue(partition, out var last)
        && firstOffset == last.Offset + 1
        && now - last.At < Window;
}
