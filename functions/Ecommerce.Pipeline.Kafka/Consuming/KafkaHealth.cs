using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Ecommerce.Pipeline.Kafka.Consuming;

/// <summary>
/// What the consumer's librdkafka statistics (STATISTICS.md: <c>brokers.*.state</c>, <c>topics.*.partitions.*.leader</c>,
/// <c>consumer_lag</c>) say about the cluster, once a second: which brokers are connected, how long this member's
/// partitions have been without a reachable leader, and how long fetching has made no progress while there is lag.
/// Fed on the consume thread (statistics arrive inside <c>Consume</c>); the results are read from any thread. The
/// durations are kept as the time they started, so a reader computes them when it reads: they keep growing between
/// statistics, however long the consume thread takes to deliver the next ones.
/// </summary>
internal sealed class KafkaHealth(string topic)
{
    private readonly Dictionary<int, long> _leaderlessSince = [];
    private readonly Dictionary<int, long> _lag = []; // partition → its last known consumer_lag
    private long _lastContact = Stopwatch.GetTimestamp();
    private long _lastFetched = Stopwatch.GetTimestamp();
    private long _earliestLeaderless; // 0: every owned partition has a reachable leader
    private long _lagging; // 1: this member's partitions had lag at the last statistics, and fetching is not paused

    /// <summary>Brokers (<c>host:port</c>) connected at the last statistics.</summary>
    public IReadOnlySet<string> Up { get; private set; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>When some broker last answered (a record, a commit, or a broker UP in the statistics).</summary>
    public long LastContact => Interlocked.Read(ref _lastContact);

    /// <summary>Since when (a <see cref="Stopwatch"/> timestamp) one of this member's partitions has had no reachable leader; 0 when all have one.</summary>
    public long LeaderlessSince => Interlocked.Read(ref _earliestLeaderless);

    /// <summary>
    /// Since when fetching has made no progress while this member's partitions have lag: the last record fetched,
    /// read live, so it stays current between statistics; 0 when caught up.
    /// </summary>
    public long StalledSince => Interlocked.Read(ref _lagging) != 0 ? Interlocked.Read(ref _lastFetched) : 0;

    /// <summary>This member's partitions with lag at the last statistics: leader, fetch state, lag (for the fault summary).</summary>
    public string Behind { get; private set; } = string.Empty;

    /// <summary>When the last statistics were read (a <see cref="Stopwatch"/> timestamp).</summary>
    public long UpdatedAt { get; private set; }

    public void Contact() => Interlocked.Exchange(ref _lastContact, Stopwatch.GetTimestamp());

    public void Fetched()
    {
        var now = Stopwatch.GetTimestamp();
        Interlocked.Exchange(ref _lastFetched, now);
        Interlocked.Exchange(ref _lastContact, now);
    }

    /// <summary>
    /// Reads one statistics document; <paramref name="owned"/> are this member's partitions, and those it lost and
    /// has not been assigned anything since (a full outage outlasts the session timeout: the member still waits for
    /// them, and the gauges must keep telling how long).
    /// </summary>
    public void Update(string statistics, IReadOnlySet<int> owned, bool paused)
    {
        var now = Stopwatch.GetTimestamp();
        using var doc = JsonDocument.Parse(statistics);
        var root = doc.RootElement;
        var up = new HashSet<string>(StringComparer.Ordinal);
        var upIds = new HashSet<int>();
        if (root.TryGetProperty("brokers", out var brokers))
        {
            foreach (var broker in brokers.EnumerateObject())
            {
                var id = broker.Value.TryGetProperty("nodeid", out var n) ? n.GetInt32() : -1;
                if (id >= 0 && broker.Value.TryGetProperty("state", out var state) && state.ValueEquals("UP")
                    && broker.Value.TryGetProperty("nodename", out var nodeName) && nodeName.GetString() is { } address)
                {
                    up.Add(address);
                    upIds.Add(id);
                }
            }
        }

        if (up.Count > 0)
        {
            Interlocked.Exchange(ref _lastContact, now);
        }

        Up = up;
        UpdatedAt = now;
        var lagging = false;
        List<string>? behind = null;
        long earliest = 0;
        if (root.TryGetProperty("topics", out var topics) && topics.TryGetProperty(topic, out var t)
            && t.TryGetProperty("partitions", out var partitions))
        {
            foreach (var p in partitions.EnumerateObject())
            {
                if (!int.TryParse(p.Name, out var partition) || partition < 0 || !owned.Contains(partition))
                {
                    continue;
                }

                var leader = p.Value.TryGetProperty("leader", out var l) ? l.GetInt32() : -1;
                if (leader >= 0 && upIds.Contains(leader))
                {
                    _leaderlessSince.Remove(partition);
                }
                else
                {
                    _leaderlessSince.TryAdd(partition, now);
                    var since = _leaderlessSince[partition];
                    earliest = earliest == 0 ? since : Math.Min(earliest, since);
                }

                // librdkafka reports -1 for a partition it has no offsets of (e.g. once a lost assignment was
                // taken away): its last known lag still holds.
                if (p.Value.TryGetProperty("consumer_lag", out var reported) && reported.GetInt64() >= 0)
                {
                    _lag[partition] = reported.GetInt64();
                }

                if (_lag.GetValueOrDefault(partition) is var lag and > 0)
                {
                    lagging = true;
                    var fetchState = p.Value.TryGetProperty("fetch_state", out var f) ? f.GetString() : null;
                    (behind ??= []).Add(string.Create(CultureInfo.InvariantCulture,
                        $"{partition} (leader {leader}{(upIds.Contains(leader) ? string.Empty : " not connected")}, fetch {fetchState}, lag {lag})"));
                }
            }
        }

        foreach (var gone in _leaderlessSince.Keys.Where(p => !owned.Contains(p)).ToList())
        {
            _leaderlessSince.Remove(gone);
        }

        foreach (var gone in _lag.Keys.Where(p => !owned.Contains(p)).ToList())
        {
            _lag.Remove(gone);
        }

        Behind = behind is null ? string.Empty : string.Join(", ", behind);
        Interlocked.Exchange(ref _earliestLeaderless, earliest);
        Interlocked.Exchange(ref _lagging, lagging && !paused ? 1 : 0);
    }
}
