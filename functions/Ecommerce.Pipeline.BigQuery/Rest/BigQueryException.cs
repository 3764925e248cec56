using System.Net;

namespace Ecommerce.Pipeline.BigQuery.Rest;

/// <summary>BigQuery answered with an error (HTTP status, and the first <c>ErrorProto.reason</c> when given).</summary>
public sealed class BigQueryException : Exception
{
    public BigQueryException(string message) : base(message)
    {
    }

    public BigQueryException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public BigQueryException(HttpStatusCode status, string? reason, string message) : base(message)
    {
        Status = status;
        Reason = reason;
    }

    public BigQueryException()
    {
    }

    /// <summary>The HTTP status, or null when the failure was not an HTTP answer.</summary>
    public HttpStatusCode? Status { get; }

    /// <summary>The first error's reason, e.g. <c>backendError</c>, <c>quotaExceeded</c>, <c>notFound</c>.</summary>
    public string? Reason { get; }

    /// <summary>A longer-term limit: back off for minutes, not milliseconds.</summary>
    public bool IsQuotaExceeded => Reason == BigQueryErrorReasons.QuotaExceeded;

    /// <summary>Worth retrying soon: 429/500/502/503/504, or a transient reason (and not a quota).</summary>
    public bool IsTransient => !IsQuotaExceeded
        && (Status is (HttpStatusCode)429 or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway
                or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout
            || BigQueryErrorReasons.IsTransient(Reason));
}

/// <summary>The <c>ErrorProto.reason</c> values this client acts on.</summary>
public static class BigQueryErrorReasons
{
    public const string BackendError = "backendError";
    public const string InternalError = "internalError";
    public const string RateLimitExceeded = "rateLimitExceeded";
    public const string QuotaExceeded = "quotaExceeded";
    public const string Invalid = "invalid";
    public const string Stopped = "stopped";
    public const string Timeout = "timeout";
    public const string NotFound = "notFound";
    public const string Duplicate = "duplicate";

    /// <summary>Reasons that say "try again": for a whole request, or for one row of an insertAll.</summary>
    public static bool IsTransient(string? reason) =>
        reason is BackendError or InternalError or RateLimitExceeded or Timeout;
}
