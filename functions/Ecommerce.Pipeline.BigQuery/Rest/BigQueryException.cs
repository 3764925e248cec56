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

    public BigQueryException(HttpStatusCode status, string? reason, string message, Exception innerException)
        : base(message, innerException)
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

    /// <summary>A quota or rate limit: back off for seconds (quota errors come as 403 with this reason).</summary>
    public bool IsThrottled => Reason is BigQueryErrorReasons.QuotaExceeded or BigQueryErrorReasons.RateLimitExceeded
        || (Status == (HttpStatusCode)429 && !BigQueryErrorReasons.IsTransient(Reason));

    /// <summary>The <see cref="BigQueryWaitReasons"/> label of a throttling error.</summary>
    public string ThrottleReason => Reason == BigQueryErrorReasons.QuotaExceeded
        ? BigQueryWaitReasons.QuotaExceeded
        : BigQueryWaitReasons.RateLimitExceeded;

    /// <summary>Worth retrying soon: 500/502/503/504, or a transient reason (throttling is retried on its own).</summary>
    public bool IsTransient => !IsThrottled
        && (Status is HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway
                or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout
            || BigQueryErrorReasons.IsTransient(Reason));

    /// <summary>
    /// The request as a whole is over the size BigQuery accepts: 400 "Request payload size exceeds the limit:
    /// 10485760 bytes." (confluentinc/kafka-connect-bigquery PR #49), 400 "Request size is too big: … limitation: …"
    /// (issue #396 there), or a front end's 413 (Aiven-Open/bigquery-connector-for-apache-kafka PR #256). Re-sending
    /// the same request cannot help; smaller ones can.
    /// </summary>
    public bool IsRequestTooLarge => Status == HttpStatusCode.RequestEntityTooLarge
        || (Status == HttpStatusCode.BadRequest
            && (Message.Contains("Request payload size exceeds the limit", StringComparison.OrdinalIgnoreCase)
                || Message.Contains("Request size is too big", StringComparison.OrdinalIgnoreCase)));
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
