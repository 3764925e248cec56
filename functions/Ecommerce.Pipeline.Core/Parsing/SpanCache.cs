using System.Collections.Concurrent;

namespace Ecommerce.Pipeline.Core.Parsing;

/// <summary>
/// A bounded, thread-safe map from text to a value, looked up by span so a hit allocates nothing. Real traffic
/// repeats the same product ids, payment spellings and place names endlessly; caching them saves both the string
/// and the work of resolving it. Once full it stops growing (no eviction): a miss then costs what it would without
/// the cache, so hostile input can cost memory only up to the bound.
/// </summary>
internal sealed class SpanCache<TValue>
{
    private readonly ConcurrentDictionary<string, TValue> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TValue>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
    private readonly int _capacity;
    private readonly int _maxKeyLength;

    public SpanCache(int capacity, int maxKeyLength)
    {
        _capacity = capacity;
        _maxKeyLength = maxKeyLength;
        _bySpan = _entries.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    // Counted here: ConcurrentDictionary.Count takes every lock of the dictionary, and Add asked for it on each miss, so
    // two batches parsed side by side queued on those locks (a profile of `pipeline bench` showed it).
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Finds the entry for <paramref name="text"/>; returns its stored key, so callers can reuse the string.</summary>
    public bool TryGet(ReadOnlySpan<char> text, out string key, out TValue value)
    {
        if (text.Length <= _maxKeyLength && _bySpan.TryGetValue(text, out var actualKey, out value!))
        {
            key = actualKey;
            return true;
        }

        key = null!;
        value = default!;
        return false;
    }

    public void Add(string key, TValue value)
    {
        // Concurrent adders may pass the check together, so the bound can be exceeded by at most one entry per thread.
        if (key.Length <= _maxKeyLength && Volatile.Read(ref _count) < _capacity && _entries.TryAdd(key, value))
        {
            Interlocked.Increment(ref _count);
        }
    }
}
