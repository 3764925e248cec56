using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Polly;
using Polly.Retry;

namespace Ecommerce.Pipeline.BigQuery.Rest;

/// <summary>
/// A small typed client for the BigQuery v2 methods the pipeline uses: <c>tables.get</c>, <c>tables.insert</c>,
/// <c>tables.patch</c>, <c>tabledata.insertAll</c>, <c>jobs.query</c> and <c>jobs.getQueryResults</c>. Every call
/// runs through a Polly pipeline: transient failures (HTTP 500/502/503/504, reasons backendError/internalError,
/// network errors, timeouts) are retried with exponential backoff, jitter and a cap; throttling (<c>quotaExceeded</c>,
/// <c>rateLimitExceeded</c>, 429) backs off in seconds and is reported to the observer; a 401 refreshes the token
/// once and sends again; everything else (<c>invalid</c>, <c>notFound</c>, 403) fails at once.
/// </summary>
public sealed class BigQueryClient : IDisposable
{
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly SharedAccessTokens? _tokens;
    private readonly Uri _root;
    private readonly ResiliencePipeline _pipeline;
    private readonly IBigQueryObserver _observer;
    private long _retries;

    /// <param name="http">From <c>IHttpClientFactory</c>, or any client; its BaseAddress is not used.</param>
    /// <param name="options">Endpoint and retry settings.</param>
    /// <param name="tokens">Bearer tokens; null sends none (emulator, stand-in). A <see cref="SharedAccessTokens"/> given to
    /// the Storage Write client too makes both use one token and one refresh.</param>
    /// <param name="ownsHttp">Dispose <paramref name="http"/> with this client.</param>
    public BigQueryClient(HttpClient http, BigQueryClientOptions options, IAccessTokenSource? tokens, bool ownsHttp = false)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _ownsHttp = ownsHttp;
        _tokens = SharedAccessTokens.Of(tokens);
        var root = (options.Endpoint ?? BigQueryClientOptions.DefaultEndpoint).ToString();
        _root = new Uri((root.EndsWith('/') ? root : root + "/") + "bigquery/v2/");
        _observer = options.Observer;
        TimeProvider = options.TimeProvider;
        _pipeline = BuildPipeline(options);
    }

    /// <summary>
    /// A client with its own connection pool: Application Default Credentials with the BigQuery scope when
    /// <see cref="BigQueryClientOptions.SendsCredentials"/>, else none.
    /// </summary>
    public static async Task<BigQueryClient> CreateAsync(BigQueryClientOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var tokens = options.SendsCredentials
            ? await GoogleAccessTokenSource.FromApplicationDefaultAsync(cancellationToken).ConfigureAwait(false)
            : null;
        return Create(options, tokens);
    }

    /// <summary>A client with its own connection pool and the tokens of <paramref name="tokens"/> when
    /// <see cref="BigQueryClientOptions.SendsCredentials"/>, else none.</summary>
    public static BigQueryClient Create(BigQueryClientOptions options, IAccessTokenSource? tokens)
    {
        ArgumentNullException.ThrowIfNull(options);
#pragma warning disable CA2000 // Owned by the client, disposed with it.
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = 64,
            AutomaticDecompression = DecompressionMethods.All,
        };
        var http = new HttpClient(handler, disposeHandler: true) { Timeout = options.RequestTimeout };
#pragma warning restore CA2000
        return new BigQueryClient(http, options, options.SendsCredentials ? tokens : null, ownsHttp: true);
    }

    /// <summary>The clock of the retry waits; the sink waits on it too.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Where waits and notices go (the sink reports its own through it too).</summary>
    public IBigQueryObserver Observer => _observer;

    /// <summary>Retries made so far (all methods), for metrics and tests.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary><c>tables.get</c>; null when the table does not exist (404).</summary>
    public async Task<TableResource?> GetTableAsync(string projectId, string datasetId, string tableId,
        CancellationToken cancellationToken)
    {
        try
        {
            return await SendAsync(HttpMethod.Get, TablePath(projectId, datasetId, tableId), null,
                BigQueryJsonContext.Default.TableResource, cancellationToken).ConfigureAwait(false);
        }
        catch (BigQueryException ex) when (ex.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary><c>tables.insert</c>: creates the table described by <paramref name="table"/> (its tableReference names it).</summary>
    public Task<TableResource> InsertTableAsync(TableResource table, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        var reference = table.TableReference
            ?? throw new ArgumentException("The table needs a tableReference.", nameof(table));
        var path = $"projects/{Escape(reference.ProjectId)}/datasets/{Escape(reference.DatasetId)}/tables";
        var body = JsonSerializer.SerializeToUtf8Bytes(table, BigQueryJsonContext.Default.TableResource);
        return SendAsync(HttpMethod.Post, path, body, BigQueryJsonContext.Default.TableResource, cancellationToken);
    }

    /// <summary>
    /// <c>tabledata.insertAll</c> with a ready <c>TableDataInsertAllRequest</c> body (the sink encodes rows straight
    /// to UTF-8 to measure and split requests). Row errors come back in the response; request errors throw.
    /// </summary>
    public Task<TableDataInsertAllResponse> InsertAllAsync(string projectId, string datasetId, string tableId,
        ReadOnlyMemory<byte> requestBody, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, TablePath(projectId, datasetId, tableId) + "/insertAll", requestBody,
            BigQueryJsonContext.Default.TableDataInsertAllResponse, cancellationToken);

    /// <summary><c>jobs.query</c>: runs GoogleSQL and waits up to the request's timeoutMs.</summary>
    public Task<QueryResponse> QueryAsync(string projectId, QueryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = JsonSerializer.SerializeToUtf8Bytes(request, BigQueryJsonContext.Default.QueryRequest);
        return SendAsync(HttpMethod.Post, $"projects/{Escape(projectId)}/queries", body,
            BigQueryJsonContext.Default.QueryResponse, cancellationToken);
    }

    /// <summary>
    /// <c>tables.patch</c>: changes only the fields set in <paramref name="patch"/> (e.g. timePartitioning) and
    /// returns the whole table as it now is.
    /// </summary>
    public Task<TableResource> PatchTableAsync(string projectId, string datasetId, string tableId, TableResource patch,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(patch);
        var body = JsonSerializer.SerializeToUtf8Bytes(patch, BigQueryJsonContext.Default.TableResource);
        return SendAsync(HttpMethod.Patch, TablePath(projectId, datasetId, tableId), body,
            BigQueryJsonContext.Default.TableResource, cancellationToken);
    }

    /// <summary>
    /// <c>jobs.getQueryResults</c> for a job that <c>jobs.query</c> left running (jobComplete=false): the server waits
    /// up to <paramref name="timeoutMs"/> for it, so a caller can loop without sleeping. The first page of rows comes
    /// with the completed job.
    /// </summary>
    public Task<GetQueryResultsResponse> GetQueryResultsAsync(JobReference job, long timeoutMs,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var query = "?timeoutMs=" + timeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture)
            + (string.IsNullOrEmpty(job.Location) ? "" : "&location=" + Uri.EscapeDataString(job.Location));
        return SendAsync(HttpMethod.Get, $"projects/{Escape(job.ProjectId)}/queries/{Escape(job.JobId)}{query}", null,
            BigQueryJsonContext.Default.GetQueryResultsResponse, cancellationToken);
    }

    private static string TablePath(string projectId, string datasetId, string tableId) =>
        $"projects/{Escape(projectId)}/datasets/{Escape(datasetId)}/tables/{Escape(tableId)}";

    /// <summary>Ids go into the path one segment each: a '/' or '?' in an id must not change the URL's shape.</summary>
    internal static string Escape(string? id) =>
        string.IsNullOrEmpty(id) ? throw new ArgumentException("Ids must not be empty.", nameof(id)) : Uri.EscapeDataString(id);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, ReadOnlyMemory<byte>? body,
        JsonTypeInfo<T> responseType, CancellationToken cancellationToken)
    {
        var uri = new Uri(_root, path);
        // The token generation of the last attempt, so that a 401 refreshes exactly the token it refused.
        var sent = new StrongBox<int?>();
        try
        {
            return await _pipeline.ExecuteAsync(ct => AttemptAsync(method, uri, body, responseType, sent, ct), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (BigQueryException ex) when (ex.Status == HttpStatusCode.Unauthorized && sent.Value is { } rejected && _tokens is not null)
        {
            // 401: the token expired early or was revoked. One fresh token and one more send; a second 401 (or a 403)
            // is a refusal that no retry fixes, and the sink stops on it. So does a token service that refuses the
            // credentials themselves (a revoked key): GoogleAccessTokenSource reports that as a 401 too.
            _observer.Notice($"BigQuery refused the access token ({ex.Message}); refreshing it once and sending again.");
            await _tokens.RefreshAsync(rejected, cancellationToken).ConfigureAwait(false);
            return await _pipeline.ExecuteAsync(ct => AttemptAsync(method, uri, body, responseType, sent, ct), cancellationToken)
                .ConfigureAwait(false);
        }
    }

    private async ValueTask<T> AttemptAsync<T>(HttpMethod method, Uri uri, ReadOnlyMemory<byte>? body,
        JsonTypeInfo<T> responseType, StrongBox<int?> sent, CancellationToken ct)
    {
        // A request message is single-use: build one per attempt.
        using var request = new HttpRequestMessage(method, uri);
        if (body is { } bytes)
        {
            request.Content = new ReadOnlyMemoryContent(bytes);
            request.Content.Headers.ContentType = JsonMediaType;
        }

        sent.Value = null;
        if (_tokens is not null)
        {
            var generation = _tokens.Generation;
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await _tokens.GetAccessTokenAsync(ct).ConfigureAwait(false));
            sent.Value = generation;
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct)
            .ConfigureAwait(false);
        var content = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw ToException(method, uri, response.StatusCode, content);
        }

        try
        {
            return JsonSerializer.Deserialize(content, responseType)
                   ?? throw new BigQueryException($"{method} {uri.AbsolutePath}: empty response.");
        }
        catch (JsonException ex)
        {
            throw new BigQueryException($"{method} {uri.AbsolutePath}: unreadable response: {ex.Message}", ex);
        }
    }

    private static BigQueryException ToException(HttpMethod method, Uri uri, HttpStatusCode status, byte[] content)
    {
        string? reason = null;
        string? message = null;
        try
        {
            var envelope = JsonSerializer.Deserialize(content, BigQueryJsonContext.Default.ErrorEnvelope);
            reason = envelope?.Error?.Errors is [var first, ..] ? first.Reason : null;
            message = envelope?.Error?.Message;
        }
        catch (JsonException)
        {
            // Not the Google envelope (a proxy's HTML page, say): the status alone classifies it.
        }

        return new BigQueryException(status, reason,
            $"BigQuery {method} {uri.AbsolutePath}: HTTP {(int)status}{(reason is null ? "" : " " + reason)}: {message ?? "no details"}");
    }

    private ResiliencePipeline BuildPipeline(BigQueryClientOptions options)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider };
        if (options.MaxQuotaRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is BigQueryException { IsThrottled: true }),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = options.UseJitter,
                Delay = options.QuotaBaseDelay,
                MaxDelay = options.QuotaMaxDelay,
                MaxRetryAttempts = options.MaxQuotaRetries,
                OnRetry = args =>
                {
                    Interlocked.Increment(ref _retries);
                    var ex = (BigQueryException)args.Outcome.Exception!;
                    _observer.Waiting(ex.ThrottleReason, ex.Message, args.RetryDelay);
                    return default;
                },
            });
        }

        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome.Exception, args.Context.CancellationToken)),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = options.UseJitter,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                MaxRetryAttempts = options.MaxRetries,
                OnRetry = _ => { Interlocked.Increment(ref _retries); return default; },
            });
        }

        return builder.Build();
    }

    internal static bool IsTransient(Exception? exception, CancellationToken cancellationToken) => exception switch
    {
        BigQueryException bq => bq.IsTransient,
        HttpRequestException => true, // connection refused/reset, DNS, TLS: insertId makes a re-send safe
        // HttpClient's own timeout surfaces as a cancellation the caller did not ask for.
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        IOException => true,
        _ => false,
    };

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }
}
