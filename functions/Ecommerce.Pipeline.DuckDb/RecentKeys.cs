namespace Ecommerce.Pipeline.DuckDb;

/// <summary>
/// The most recently written keys of a table, at most <see cref="Capacity"/> of them; the oldest leaves first. Exact
/// (the keys themselves, not hashes), so a hit needs no confirmation against the table. Each key comes with its row's
/// event time, and the cache keeps the latest event time of the keys that have left it (<see cref="LatestEvicted"/>).
/// </summary>
internal sealed class RecentKeys
{
    private readonly HashSet<string> _set;
    private readonly (string? Key, DateTime Time)[] _ring;
    private int _next;

    public RecentKeys(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _ring = new (string?, DateTime)[capacity];
        _set = new HashSet<string>(capacity, StringComparer.Ordinal);
    }

    public int Capacity { get; }

    public int Count => _set.Count;

    /// <summary>The latest event time of a key that has left the cache; <see cref="DateTime.MinValue"/> while none has.</summary>
    public DateTime LatestEvicted { get; private set; } = DateTime.MinValue;

    public bool Contains(string key) => _set.Contains(key);

    /// <param name="key">The row's key.</param>
    /// <param name="time">The row's event time (<see cref="DateTime.MinValue"/> for a table without one).</param>
    public void Add(string key, DateTime time)
    {
        if (!_set.Add(key))
        {
            return;
        }

        if (_ring[_next] is { Key: { } oldest, Time: var oldestTime })
        {
            _set.Remove(oldest);
            if (oldestTime > LatestEvicted)
            {
                LatestEvicted = oldestTime;
            }
        }

        _ring[_next] = (key, time);
        _next = (_next + 1) % _ring.Length;
    }
}
