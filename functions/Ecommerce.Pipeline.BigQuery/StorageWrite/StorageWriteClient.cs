using Ecommerce.Pipeline.BigQuery.Rest;
using Ecommerce.Pipeline.BigQuery.StorageWrite.Protocol;
using Grpc.Core;
using Grpc.Net.Client;
using Polly;
using Polly.Retry;

namespace Ecommerce.Pipeline.BigQuery.StorageWrite;

/// <summary>
/// The Storage Write API over one gRPC channel: <c>CreateWriteStream</c> (COMMITTED), <c>FinalizeWriteStream</c>, and
/// an <see cref="AppendConnection"/> per write stream for <c>AppendRows</c>. With an endpoint override no credentials
/// are sent (plaintext HTTP/2 to a stand-in); otherwise Application Default Credentials as call credentials.
/// </summary>
public sealed class StorageWriteClient : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly ResiliencePipeline _unaryRetry;

    internal StorageWriteClient(GrpcChannel channel, StorageWriteOptions options, IBigQueryObserver observer, TimeProvider time,
        SharedAccessTokens? tokens = null)
    {
        _channel = channel;
        Options = options;
        Observer = observer;
        Time = time;
        Tokens = tokens;
        Api = new BigQueryWrite.BigQueryWriteClient(channel);
        _unaryRetry = StorageWriteRetries.Build(options, observer, time, null, tokens: tokens);
    }

    /// <summary>A client for <see cref="StorageWriteOptions.Endpoint"/>, or Google's endpoint with ADC.</summary>
    public static Task<StorageWriteClient> CreateAsync(StorageWriteOptions options, IBigQueryObserver observer,
        TimeProvider time, CancellationToken cancellationToken) =>
        // Looked up on the first call and again after a failed lookup (a metadata server not ready yet is not kept).
        CreateAsync(options, observer, time, new LazyApplicationDefaultTokenSource(), cancellationToken);

    /// <summary>
    /// As <see cref="CreateAsync(StorageWriteOptions, IBigQueryObserver, TimeProvider, CancellationToken)"/>, with the
    /// tokens of <paramref name="tokenSource"/> when credentials are sent. A <see cref="SharedAccessTokens"/> given to
    /// the REST client too makes both use one token and one refresh.
    /// </summary>
    public static Task<StorageWriteClient> CreateAsync(StorageWriteOptions options, IBigQueryObserver observer,
        TimeProvider time, IAccessTokenSource tokenSource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokenSource);
        ArgumentNullException.ThrowIfNull(options);
        var channelOptions = new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                // A connection that went quiet (a NAT dropped it) is noticed before the next append waits on it.
                KeepAlivePingDelay = TimeSpan.FromSeconds(60),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            },
            DisposeHttpClient = true,
        };
        var endpoint = options.Endpoint ?? StorageWriteOptions.DefaultEndpoint;
        SharedAccessTokens? tokens = null;
        if (options.Credentials.SendsCredentials(options.Endpoint))
        {
            var callTokens = tokens = SharedAccessTokens.Of(tokenSource)!;
            var bearer = CallCredentials.FromInterceptor(async (context, metadata) =>
                metadata.Add("authorization", "Bearer " + await callTokens.GetAccessTokenAsync(context.CancellationToken).ConfigureAwait(false)));
            // A plaintext proxy or stand-in (BigQuery__Credentials=adc) still gets the token, as the REST client sends it.
            var secure = endpoint.Scheme == Uri.UriSchemeHttps;
            channelOptions.Credentials = ChannelCredentials.Create(secure ? new SslCredentials() : ChannelCredentials.Insecure, bearer);
            channelOptions.UnsafeUseInsecureChannelCallCredentials = !secure;
        }

        var channel = GrpcChannel.ForAddress(endpoint, channelOptions);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(new StorageWriteClient(channel, options, observer, time, tokens));
    }

    public StorageWriteOptions Options { get; }

    internal IBigQueryObserver Observer { get; }

    internal TimeProvider Time { get; }

    /// <summary>The calls' tokens, when credentials are sent.</summary>
    internal SharedAccessTokens? Tokens { get; }

    internal BigQueryWrite.BigQueryWriteClient Api { get; }

    /// <summary><c>projects/P/datasets/D/tables/T</c>, the parent of a table's write streams.</summary>
    public static string TablePath(string projectId, string datasetId, string tableId) =>
        $"projects/{projectId}/datasets/{datasetId}/tables/{tableId}";

    /// <summary>The table's <c>_default</c> stream: at-least-once, rows visible at once, no offsets.</summary>
    public static string DefaultStream(string tablePath) => tablePath + "/streams/_default";

    /// <summary>Creates an application-owned COMMITTED stream (rows visible once acknowledged; offsets make appends exactly-once).</summary>
    /// <param name="tablePath">See <see cref="TablePath"/>.</param>
    /// <param name="notFound">What a NOT_FOUND means (a table created moments ago is waited for), or null to fail at once.</param>
    /// <param name="cancellationToken">Stops the call and its retries.</param>
    public async Task<string> CreateCommittedStreamAsync(string tablePath, NewTableWait? notFound,
        CancellationToken cancellationToken)
    {
        var request = new CreateWriteStreamRequest
        {
            Parent = tablePath,
            WriteStream = new WriteStream { Type = WriteStream.Types.Type.Committed },
        };
        var pipeline = notFound is null ? _unaryRetry : StorageWriteRetries.Build(Options, Observer, Time, notFound, tokens: Tokens);
        var stream = await pipeline.ExecuteAsync(async ct => await UnaryAsync(Tokens?.Generation ?? 0,
            Api.CreateWriteStreamAsync(request, Headers("parent", tablePath), Deadline(), ct)).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        return stream.Name;
    }

    /// <summary>Finalizes a stream (no more appends); returns its row count.</summary>
    public async Task<long> FinalizeAsync(string streamName, CancellationToken cancellationToken)
    {
        var request = new FinalizeWriteStreamRequest { Name = streamName };
        var response = await _unaryRetry.ExecuteAsync(async ct => await UnaryAsync(Tokens?.Generation ?? 0,
            Api.FinalizeWriteStreamAsync(request, Headers("name", streamName), Deadline(), ct)).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        return response.RowCount;
    }

    /// <summary>An AppendRows connection for one stream; it connects on its first append.</summary>
    public AppendConnection Open(string streamName, ProtoSchema writerSchema, NewTableWait? notFound = null) =>
        new(this, streamName, writerSchema, notFound);

    /// <summary>
    /// The routing header, <c>x-goog-request-params: field=url-encoded value</c>: outside the US multi-region the
    /// service needs it to find the stream (java-bigquerystorage ConnectionWorker sets <c>write_stream=…</c> on AppendRows).
    /// </summary>
    internal static Metadata Headers(string field, string value) =>
        new() { { "x-goog-request-params", field + "=" + Uri.EscapeDataString(value) } };

    internal DateTime Deadline() => Time.GetUtcNow().UtcDateTime + Options.RequestTimeout;

    /// <param name="tokenGeneration">The token generation noted before the call started (its credentials are added as it starts).</param>
    /// <param name="call">The call.</param>
    private static async Task<T> UnaryAsync<T>(int tokenGeneration, AsyncUnaryCall<T> call)
    {
        using (call)
        {
            try
            {
                return await call.ResponseAsync.ConfigureAwait(false);
            }
            catch (RpcException ex)
            {
                throw new StorageWriteException(ex.StatusCode, $"Storage Write API: {ex.StatusCode}: {ex.Status.Detail}", ex)
                {
                    TokenGeneration = tokenGeneration,
                };
            }
        }
    }

    public void Dispose() => _channel.Dispose();
}
