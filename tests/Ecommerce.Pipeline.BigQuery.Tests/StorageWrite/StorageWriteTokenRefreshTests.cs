using System.Security.Cryptography;
using Ecommerce.Pipeline.BigQuery.Rest;
using Ecommerce.Pipeline.BigQuery.StorageWrite;
using Ecommerce.Pipeline.Core.Processing;
using Google.Apis.Auth.OAuth2;
using Xunit;

namespace Ecommerce.Pipeline.BigQuery.Tests.StorageWrite;

/// <summary>
/// The Storage Write path with real credentials: a service-account key whose <c>token_uri</c> is the REST stand-in's
/// token endpoint (Google's library signs the JWT-bearer grant and posts it there), both clients in
/// <see cref="BigQueryCredentialMode.ApplicationDefault"/> mode. Once the stand-in expires the tokens it issued, every
/// new gRPC call with one gets UNAUTHENTICATED: the sink refreshes once, for all the calls refused together, and goes on.
/// </summary>
[Trait("Category", "Integration")]
public sealed class StorageWriteTokenRefreshTests : IAsyncLifetime
{
    private const string Account = "pipeline@proj.iam.gserviceaccount.com";

    private readonly RSA _key = RSA.Create(2048);
    private StorageSinkKit _kit = null!;

    public async Task InitializeAsync() => _kit = await StorageSinkKit.StartAsync();

    public async Task DisposeAsync()
    {
        await _kit.CheckAndDisposeAsync();
        _key.Dispose();
    }

    [Fact]
    public async Task An_expired_token_is_refreshed_once_for_the_calls_it_failed_and_every_row_is_stored_once()
    {
        await using var sink = await SinkAsync();
        int[] partitions = [0, 1, 2, 3];
        await sink.PartitionsAssignedAsync(partitions, CancellationToken.None);
        await sink.WriteRowsAsync([.. partitions.SelectMany(p => StorageSinkKit.Rows(p, 0, 10))], CancellationToken.None);
        Assert.Equal(1, _kit.Rest.TokenRequests);

        // The tokens expire early; every partition's connection then breaks, so each reconnects with the old token.
        _kit.Rest.ExpireIssuedTokens();
        _kit.Write.InjectFault(StorageWriteFault.Unavailable, times: partitions.Length);
        var written = await sink.WriteRowsAsync([.. partitions.SelectMany(p => StorageSinkKit.Rows(p, 10, 10))], CancellationToken.None);
        // A unary call too: finalizing a released partition's stream.
        await sink.PartitionsReleasedAsync([0], CancellationToken.None);

        Assert.Equal(40, written.Inserted);
        // Every call that started with the old token was refused (how many reconnected before the new token came
        // depends on the pace), and all of them shared one refresh.
        Assert.InRange(_kit.Write.Unauthenticated, 1, partitions.Length);
        Assert.Equal(2, _kit.Rest.TokenRequests);
        Assert.Equal(20, Assert.Single(_kit.Write.Streams.Values, s => s.Finalized).NextOffset);
        var copies = _kit.Copies("transactions", "transaction_id");
        Assert.Equal(80, copies.Count);
        Assert.All(copies, c => Assert.Equal(1, c.Value));
    }

    [Fact]
    public async Task A_token_refused_again_after_the_refresh_stops_the_sink()
    {
        await using var sink = await SinkAsync();
        await sink.PartitionsAssignedAsync([0], CancellationToken.None);
        await sink.WriteRowsAsync(StorageSinkKit.Rows(0, 0, 10), CancellationToken.None);

        // The service refuses every token from now on (the account lost its access), new ones included.
        _kit.Rest.AcceptToken = _ => false;
        _kit.Write.InjectFault(StorageWriteFault.Unavailable);
        var stopped = await Assert.ThrowsAsync<SinkUnavailableException>(() => sink.WriteRowsAsync(StorageSinkKit.Rows(0, 10, 10), CancellationToken.None));

        Assert.Contains("Unauthenticated", stopped.Message, StringComparison.Ordinal);
        Assert.Equal(2, _kit.Write.Unauthenticated); // the first refusal, and the one after the single refresh
        Assert.Equal(2, _kit.Rest.TokenRequests);
        Assert.Equal(10, _kit.Stored("transactions").Count);
    }

    /// <summary>A sink whose clients get their tokens from a key the stand-in trusts, as Application Default Credentials would.</summary>
    private async Task<StorageWriteSink> SinkAsync()
    {
        var json = _kit.Rest.TrustedKeyJson(Account, _key);
        var tokens = GoogleAccessTokenSource.FromCredential(CredentialFactory.FromJson<ServiceAccountCredential>(json).ToGoogleCredential());
        var fast = _kit.Options();
        var writeOptions = new StorageWriteOptions
        {
            Endpoint = fast.Endpoint,
            Credentials = BigQueryCredentialMode.ApplicationDefault,
            ReconnectBaseDelay = fast.ReconnectBaseDelay,
            ReconnectMaxDelay = fast.ReconnectMaxDelay,
            RequestTimeout = fast.RequestTimeout,
            UseJitter = false,
        };
        var fastRest = TestData.ClientOptions(_kit.Rest.Endpoint);
        var restOptions = new BigQueryClientOptions
        {
            Endpoint = fastRest.Endpoint,
            Credentials = BigQueryCredentialMode.ApplicationDefault,
            RetryBaseDelay = fastRest.RetryBaseDelay,
            RetryMaxDelay = fastRest.RetryMaxDelay,
            RequestTimeout = fastRest.RequestTimeout,
        };
        var write = await StorageWriteClient.CreateAsync(writeOptions, NullBigQueryObserver.Instance, TimeProvider.System, tokens, CancellationToken.None);
#pragma warning disable CA2000 // Owned by the sink, disposed with it.
        var rest = new BigQueryClient(new HttpClient { Timeout = TimeSpan.FromSeconds(30) }, restOptions, tokens, ownsHttp: true);
#pragma warning restore CA2000
        var sink = new StorageWriteSink(rest, write, new BigQuerySinkOptions { ProjectId = "proj", DatasetId = "ds" }, ownsClients: true);
        await sink.EnsureTablesAsync(CancellationToken.None);
        return sink;
    }
}
