using Ecommerce.Pipeline.Core.Model;

namespace Ecommerce.Pipeline.Kafka.Consuming;

/// <summary>
/// Which partitions this member owns (each under the epoch of its latest assignment) and the offsets that
/// acknowledged batches allow to commit. An acknowledgement counts only for the assignment its records were read
/// under: a partition revoked, and maybe assigned back since, may have been committed further by another member
/// meanwhile, so a commit never moves past what this member stored. Acknowledged offsets are handed to librdkafka's
/// offset store (<see cref="ToCommit"/>, then <see cref="Stored"/>) and stay <see cref="Uncommitted"/> until a commit
/// of them succeeded, so a failed commit is never lost track of. Not thread-safe: the consume thread owns it.
/// </summary>
internal sealed class PartitionLedger
{
    private readonly Dictionary<int, int> _assigned = []; // partition → epoch of its current assignment
    private readonly Dictionary<int, long> _toCommit = []; // partition → next offset, acknowledged, not yet stored
    private readonly Dictionary<int, long> _uncommitted = []; // partition → next offset, stored, no commit of it succeeded yet
    private int _epoch;

    public int Count => _assigned.Count;

    /// <summary>The owned partitions.</summary>
    public IEnumerable<int> Owned => _assigned.Keys;

    /// <summary>Acknowledged offsets not handed to the offset store yet, partition → next offset.</summary>
    public IReadOnlyDictionary<int, long> ToCommit => _toCommit;

    /// <summary>Offsets in the offset store that no successful commit has taken yet, partition → next offset.</summary>
    public IReadOnlyDictionary<int, long> Uncommitted => _uncommitted;

    public bool Owns(int partition) => _assigned.ContainsKey(partition);

    /// <summary>Records a (new) assignment of a partition; any earlier one's acknowledgements no longer count.</summary>
    public void Assign(int partition) => _assigned[partition] = ++_epoch;

    /// <summary>Drops revoked or lost partitions, with whatever they had not committed.</summary>
    public void Forget(IEnumerable<int> partitions)
    {
        foreach (var p in partitions)
        {
            _assigned.Remove(p);
            _toCommit.Remove(p);
            _uncommitted.Remove(p);
        }
    }

    /// <summary>The next offset per partition of some records, stamped with the assignment they are read under.</summary>
    public PartitionOffset[] NextOffsets(List<RawRecord> records)
    {
        var next = new Dictionary<int, long>();
        foreach (var record in records)
        {
            if (!next.TryGetValue(record.Partition, out var current) || record.Offset + 1 > current)
            {
                next[record.Partition] = record.Offset + 1;
            }
        }

        var offsets = new PartitionOffset[next.Count];
        var i = 0;
        foreach (var (partition, offset) in next)
        {
            offsets[i++] = new PartitionOffset(partition, offset, _assigned.GetValueOrDefault(partition, -1));
        }

        return offsets;
    }

    /// <summary>A batch was acknowledged: its offsets may be committed, where still owned under the same assignment.</summary>
    public void Acknowledge(PartitionOffset[] offsets)
    {
        foreach (var offset in offsets)
        {
            if (_assigned.TryGetValue(offset.Partition, out var epoch) && epoch == offset.Epoch
                && offset.Next > _toCommit.GetValueOrDefault(offset.Partition, -1))
            {
                _toCommit[offset.Partition] = offset.Next;
            }
        }
    }

    /// <summary>Everything in <see cref="ToCommit"/> is in the offset store now: it waits for a commit.</summary>
    public void Stored()
    {
        foreach (var (partition, next) in _toCommit)
        {
            _uncommitted[partition] = next;
        }

        _toCommit.Clear();
    }

    /// <summary>A commit of <paramref name="next"/> for a partition succeeded: what it covers is no longer pending.</summary>
    public void Committed(int partition, long next)
    {
        if (_uncommitted.TryGetValue(partition, out var pending) && pending <= next)
        {
            _uncommitted.Remove(partition);
        }
    }
}
