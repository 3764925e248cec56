using Ecommerce.Pipeline.Core.Model;

namespace Ecommerce.Pipeline.Kafka.Consuming;

/// <summary>
/// Forms batches from consumed records: a batch is sealed once it holds <see cref="StreamProcessorOptions.MaxBatchRecords"/>
/// records or <see cref="StreamProcessorOptions.MaxBatchBytes"/> key + value bytes, or once its first record has waited
/// <see cref="StreamProcessorOptions.MaxBatchWait"/>. At most one sealed batch waits for hand-off (<see cref="Ready"/>);
/// while it waits, new records keep filling the next one. Not thread-safe: the consume thread owns it.
/// </summary>
internal sealed class BatchAssembler
{
    private readonly int _maxRecords;
    private readonly int _maxBytes;
    private readonly long _maxWaitTicks;
    private readonly TimeProvider _time;
    private List<RawRecord> _building;
    private long _buildingBytes;
    private long _deadline;

    public BatchAssembler(int maxRecords, int maxBytes, TimeSpan maxWait, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecords, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        ArgumentNullException.ThrowIfNull(time);
        _maxRecords = maxRecords;
        _maxBytes = maxBytes;
        _time = time;
        _maxWaitTicks = (long)(maxWait.TotalSeconds * time.TimestampFrequency);
        _building = NewBuffer();
    }

    /// <summary>Records appended and not sealed yet.</summary>
    public int Building => _building.Count;

    /// <summary>Key + value bytes of the records not sealed yet.</summary>
    public long BuildingBytes => _buildingBytes;

    /// <summary>The sealed batch waiting for hand-off, if any.</summary>
    public Batch? Ready { get; private set; }

    /// <summary>True when nothing is being built and nothing waits for hand-off.</summary>
    public bool IsEmpty => _building.Count == 0 && Ready is null;

    public void Append(in RawRecord record)
    {
        if (_building.Count == 0)
        {
            _deadline = _time.GetTimestamp() + _maxWaitTicks;
        }

        _building.Add(record);
        _buildingBytes += record.Key.Length + record.Value.Length;
    }

    /// <summary>Seals the records being built when a bound is reached and no batch waits; returns how many it sealed.</summary>
    public int SealIfDue()
    {
        if (Ready is not null || _building.Count == 0)
        {
            return 0;
        }

        if (_building.Count < _maxRecords && _buildingBytes < _maxBytes && _time.GetTimestamp() < _deadline)
        {
            return 0;
        }

        var count = _building.Count;
        Ready = new Batch(_building);
        _building = NewBuffer();
        _buildingBytes = 0;
        return count;
    }

    /// <summary>The sealed batch was handed off: the next one may be sealed.</summary>
    public void HandedOff() => Ready = null;

    /// <summary>How long a poll may wait before the batch being built is due (at most <paramref name="pollInterval"/>).</summary>
    public TimeSpan NextWait(TimeSpan pollInterval)
    {
        if (Ready is null && _building.Count > 0)
        {
            var left = _deadline - _time.GetTimestamp();
            if (left <= 0)
            {
                return TimeSpan.Zero;
            }

            var wait = TimeSpan.FromSeconds(left / (double)_time.TimestampFrequency);
            return wait < pollInterval ? wait : pollInterval;
        }

        return pollInterval;
    }

    /// <summary>
    /// Removes the records of some partitions that were not handed off (their new owner re-reads them); returns how
    /// many, and in <paramref name="fromReady"/> how many of those had already been sealed.
    /// </summary>
    public int Drop(Predicate<int> partition, out int fromReady)
    {
        var dropped = _building.RemoveAll(r => partition(r.Partition));
        if (dropped > 0)
        {
            _buildingBytes = 0;
            foreach (var r in _building)
            {
                _buildingBytes += r.Key.Length + r.Value.Length;
            }
        }

        fromReady = 0;
        if (Ready is { } ready)
        {
            fromReady = ready.Records.RemoveAll(r => partition(r.Partition));
            dropped += fromReady;
            if (ready.Records.Count == 0)
            {
                Ready = null;
            }
        }

        return dropped;
    }

    private List<RawRecord> NewBuffer() => new(Math.Min(_maxRecords, 4096));
}
