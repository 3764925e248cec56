namespace Ecommerce.Pipeline.BigQuery.Rest;

/// <summary>Where the API is and how hard to retry.</summary>
public sealed class BigQueryClientOptions
{
    /// <summary>The production root (discovery <c>rootUrl</c>).</summary>
    public static Uri DefaultEndpoint { get; } = new("https://bigquery.googleapis.com/");

    /// <summary>An emulator, stand-in or proxy root; whether credentials go there too is <see cref="Credentials"/>'s.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>
    /// Credentials to send: by default Application Default Credentials against the real service and none against an
    /// <see cref="Endpoint"/> override.
    /// </summary>
    public BigQueryCredentialMode Credentials { get; init; } = BigQueryCredentialMode.Auto;

    /// <summary>Whether requests carry a bearer token from Application Default Credentials.</summary>
    public bool SendsCredentials => Credentials.SendsCredentials(Endpoint);

    /// <summary>Transient failures (5xx, backendError, internalError, network): attempts after the first.</summary>
    public int MaxRetries { get; init; } = 8;

    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Throttling (<c>quotaExceeded</c>, <c>rateLimitExceeded</c>, HTTP 429): attempts after the first. The streaming
    /// quotas are per second (rows and bytes per second per project, https://cloud.google.com/bigquery/quotas
    /// "Streaming inserts"), so the backoff is in seconds, with jitter and a cap: minutes would stall a batch long
    /// after the quota refilled. Google's advice for these errors is exponential backoff
    /// (https://cloud.google.com/bigquery/docs/troubleshoot-quotas). What outlives these attempts fails the
    /// request; the processor then retries the batch.
    /// </summary>
    public int MaxQuotaRetries { get; init; } = 10;

    public TimeSpan QuotaBaseDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan QuotaMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Per attempt.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Jitter on by default; tests may turn it off for exact delays.</summary>
    public bool UseJitter { get; init; } = true;

    /// <summary>Where waits, splits and token refreshes are reported (a host logs and counts them).</summary>
    public IBigQueryObserver Observer { get; init; } = NullBigQueryObserver.Instance;

    /// <summary>Clock for the retry waits (tests inject a fake one).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
