using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Ecommerce.Pipeline.TestSupport;
using Microsoft.AspNetCore.Http;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>
/// Switches that make the stand-in behave as the real service does rather than kindly. Every one is off by default,
/// so existing users see the stand-in unchanged. Sources: new and re-created tables,
/// https://cloud.google.com/bigquery/docs/error-messages#metadata-errors-for-streaming-inserts; the payload 400,
/// confluentinc/kafka-connect-bigquery PR #49; throttling, https://cloud.google.com/bigquery/docs/troubleshoot-quotas;
/// insertId dedup "best effort", https://cloud.google.com/bigquery/docs/streaming-data-into-bigquery.
/// </summary>
internal sealed partial class BigQueryStandIn
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _createdAt = new();
    private readonly ConcurrentDictionary<string, bool> _everDeleted = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastStored = new();
    private readonly ConcurrentQueue<(int Status, string Reason)> _throttles = new();
    private Random _dedupRandom = new(1);
    private long _silentlyDropped;

    /// <summary>The clock of the windows below (tests with a fake clock share it with the client).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>After tables.insert, insertAll on that table answers 404 notFound for this long.</summary>
    public TimeSpan NotFoundAfterCreate { get; set; }

    /// <summary>
    /// After a table is created again under a name that was deleted, insertAll answers 200 and stores nothing for this
    /// long (the rows went to the old table).
    /// </summary>
    public TimeSpan DropsAfterRecreate { get; set; }

    /// <summary>Rows answered 200 but not stored (<see cref="DropsAfterRecreate"/>).</summary>
    public long SilentlyDropped => Interlocked.Read(ref _silentlyDropped);

    /// <summary>insertAll bodies over this many bytes get Google's 400 "Request payload size exceeds the limit".</summary>
    public int? MaxRequestBytes { get; set; }

    /// <summary>Credential mode: a request whose bearer token this refuses gets Google's 401 (null: no check).</summary>
    public Func<string?, bool>? AcceptToken { get; set; }

    /// <summary>
    /// Best-effort dedup: an insertId seen within this window is absorbed, but which copy stays is arbitrary (either
    /// may); one seen longer ago is stored again, as a second row. Null: exact dedup, the first copy stays.
    /// </summary>
    public TimeSpan? DedupWindow { get; set; }

    /// <summary>Seeds the arbitrary choice of <see cref="DedupWindow"/>.</summary>
    public int DedupSeed { set => _dedupRandom = new Random(value); }

    private readonly ConcurrentDictionary<string, List<(string Id, JsonElement Json)>> _copies = new();

    /// <summary>Every row stored, copies included: what a SELECT on the live table "dataset.table" returns.</summary>
    public IReadOnlyList<JsonElement> LiveRows(string table)
    {
        lock (_gate)
        {
            return _copies.TryGetValue(table, out var copies) ? [.. copies.Select(c => c.Json)] : [];
        }
    }

    /// <summary>Each insertAll waits this long before it is answered (null: at once).</summary>
    public LogNormalLatency? Latency { get; set; }

    /// <summary>The next <paramref name="count"/> insertAll requests get this throttling error (403 quotaExceeded, 429 …).</summary>
    public void ThrottleInsertAlls(int status, string reason, int count)
    {
        for (var i = 0; i < count; i++)
        {
            _throttles.Enqueue((status, reason));
        }
    }

    /// <summary>tables.delete, as an operator would run it: the rows go, and the name may be created again.</summary>
    public void DeleteTable(string dataset, string table)
    {
        var key = $"{dataset}.{table}";
        Tables.TryRemove(key, out _);
        Rows.TryRemove(key, out _);
        _copies.TryRemove(key, out _);
        _everDeleted[key] = true;
    }

    private void TableCreated(string key) => _createdAt[key] = Clock.GetUtcNow();

    private bool InWindow(string key, TimeSpan window) =>
        window > TimeSpan.Zero && _createdAt.TryGetValue(key, out var at) && Clock.GetUtcNow() - at < window;

    /// <summary>Credential mode's 401, in Google's shape; true when answered.</summary>
    private async Task<bool> RefuseCredentialsAsync(HttpContext ctx, RecordedRequest request)
    {
        if (AcceptToken is null)
        {
            return false;
        }

        var token = request.Authorization is { } header && header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..] : null;
        if (AcceptToken(token))
        {
            return false;
        }

        await WriteErrorAsync(ctx, 401, "authError",
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.");
        return true;
    }

    /// <summary>What happens to an insertAll before its rows are looked at; true when answered.</summary>
    private async Task<bool> BeforeInsertAllAsync(HttpContext ctx, string table, RecordedRequest request)
    {
        if (Latency is { } latency)
        {
            await Task.Delay(latency.Next(), ctx.RequestAborted);
        }

        if (MaxRequestBytes is { } limit && request.Body.Length > limit)
        {
            await WriteErrorAsync(ctx, 400, "badRequest", string.Create(CultureInfo.InvariantCulture,
                $"Request payload size exceeds the limit: {limit} bytes."));
            return true;
        }

        if (_throttles.TryDequeue(out var throttle))
        {
            await WriteErrorAsync(ctx, throttle.Status, throttle.Reason, throttle.Reason == "quotaExceeded"
                ? "Quota exceeded: Your table exceeded quota for rows per second."
                : "Exceeded rate limits: too many api requests per user per method for this user_method.");
            return true;
        }

        if (Tables.ContainsKey(table) && InWindow(table, NotFoundAfterCreate))
        {
            await WriteErrorAsync(ctx, 404, "notFound", $"Not found: Table {table}");
            return true;
        }

        return false;
    }

    /// <summary>Stores one row as the switches say (called under the stand-in's lock); false when it was dropped.</summary>
    private bool Store(string table, ConcurrentDictionary<string, JsonElement> stored, string id, JsonElement json)
    {
        if (_everDeleted.ContainsKey(table) && InWindow(table, DropsAfterRecreate))
        {
            Interlocked.Increment(ref _silentlyDropped);
            return false;
        }

        var now = Clock.GetUtcNow();
        var copies = _copies.GetOrAdd(table, _ => []);
        if (DedupWindow is not { } window)
        {
            if (stored.TryAdd(id, json))
            {
                copies.Add((id, json));
            }

            return true;
        }

        var key = table + "\n" + id;
        if (!_lastStored.TryGetValue(key, out var last) || now - last >= window)
        {
            // Never seen, or seen before the window: a new row (a duplicate, if it was seen).
            copies.Add((id, json));
            stored.TryAdd(id, json);
        }
        else if (_dedupRandom.Next(2) == 0)
        {
            // Absorbed, but this copy is the one that stays.
            copies[copies.FindLastIndex(c => c.Id == id)] = (id, json);
            stored[id] = json;
        }

        _lastStored[key] = now;
        return true;
    }
}
