namespace Ecommerce.Pipeline.BigQuery.Rest;

/// <summary>
/// What the client and sink report while they wait or adapt, so a host can log it and count it: the sink has no
/// logger or metrics of its own (the host decides where these go).
/// </summary>
public interface IBigQueryObserver
{
    /// <summary>A wait before trying again.</summary>
    /// <param name="reason">One of <see cref="BigQueryWaitReasons"/>: the metric label.</param>
    /// <param name="detail">For the log: what is waited for, e.g. the table's name and the error.</param>
    /// <param name="delay">How long this wait is.</param>
    void Waiting(string reason, string detail, TimeSpan delay);

    /// <summary>Something an operator should find in the log: a request split, a token refreshed.</summary>
    void Notice(string message);
}

/// <summary>Why the sink waits (the <c>reason</c> label of <c>pipeline_sink_waits_total</c>).</summary>
public static class BigQueryWaitReasons
{
    /// <summary>insertAll answered 404 (Storage Write API: NOT_FOUND) for a table this sink created moments ago.</summary>
    public const string TableNotReady = "table_not_ready";

    /// <summary>403/429 <c>quotaExceeded</c>: a streaming quota (rows or bytes per second) is used up.</summary>
    public const string QuotaExceeded = "quota_exceeded";

    /// <summary>403/429 <c>rateLimitExceeded</c>, or a 429 without a reason.</summary>
    public const string RateLimitExceeded = "rate_limit_exceeded";

    /// <summary>Storage Write API: the AppendRows connection failed (ABORTED, UNAVAILABLE, CANCELLED, INTERNAL, DEADLINE_EXCEEDED, reset) and is re-opened.</summary>
    public const string Reconnect = "reconnect";

    /// <summary>Storage Write API: RESOURCE_EXHAUSTED, a throughput quota is used up.</summary>
    public const string ResourceExhausted = "resource_exhausted";
}

/// <summary>Reports nowhere.</summary>
public sealed class NullBigQueryObserver : IBigQueryObserver
{
    public static NullBigQueryObserver Instance { get; } = new();

    public void Waiting(string reason, string detail, TimeSpan delay) { }

    public void Notice(string message) { }
}
