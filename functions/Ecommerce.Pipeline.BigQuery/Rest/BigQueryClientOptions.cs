namespace Ecommerce.Pipeline.BigQuery.Rest;

/// <summary>Where the API is and how hard to retry.</summary>
public sealed class BigQueryClientOptions
{
    /// <summary>The production root (discovery <c>rootUrl</c>).</summary>
    public static Uri DefaultEndpoint { get; } = new("https://bigquery.googleapis.com/");

    /// <summary>An emulator or stand-in root; when set, no credentials are used.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>Transient failures (429/5xx, backendError, internalError, rateLimitExceeded, network): attempts after the first.</summary>
    public int MaxRetries { get; init; } = 8;

    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary><c>quotaExceeded</c> is a longer-term limit: back off for minutes.</summary>
    public int MaxQuotaRetries { get; init; } = 5;

    public TimeSpan QuotaBaseDelay { get; init; } = TimeSpan.FromMinutes(1);
    public TimeSpan QuotaMaxDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Per attempt.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Jitter on by default; tests may turn it off for exact delays.</summary>
    public bool UseJitter { get; init; } = true;

    /// <summary>Clock for the retry waits (tests inject a fake one).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
