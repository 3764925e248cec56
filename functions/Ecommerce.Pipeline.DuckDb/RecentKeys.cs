namespace Ecommerce.Pipeline.DuckDb;

/// <summary>
/// The most recently written keys of a table, at most <see cref="Capacity"/> of them; the oldest leaves first. Exact
/// (the keys themselves, not hashes), so a hit needs no confirmation against the table.
/// </summary>
internal sealed class RecentKeys
{
    private readonly HashSet<string> _set;
    private readonly string?[] _ring;
    private int _next;

    public RecentKeys(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _ring = new string?[capacity];
        _set = new HashSet<string>(capacity, StringComparer.Ordinal);
    }

    public int Capacity { get; }

    public int Count => _set.Count;

    public bool Contains(string key) => _set.Contains(key);

    public void Add(string key)
    {
        if (!_set.Add(key))
        {
            return;
        }

        if (_ring[_next] is { } oldest)
        {
            _set.Remove(oldest);
        }

        _ring[_next] = key;
        _next = (_next + 1) % _ring.Length;
    }
}
