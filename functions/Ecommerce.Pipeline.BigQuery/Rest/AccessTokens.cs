using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;

namespace Ecommerce.Pipeline.BigQuery.Rest;

/// <summary>Supplies the bearer token of each request.</summary>
public interface IAccessTokenSource
{
    Task<string> GetAccessTokenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Drops the cached token and fetches a new one: BigQuery answered 401 (expired early, or revoked), so the next
    /// <see cref="GetAccessTokenAsync"/> must not hand out the same token again.
    /// </summary>
    Task RefreshAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS service-account JSON, gcloud user credentials, or
/// the GCE/GKE metadata server, which is how Workload Identity appears) with the BigQuery scope. The library caches
/// and refreshes the token before it expires; <see cref="RefreshAsync"/> forces a new one.
/// </summary>
public sealed class GoogleAccessTokenSource : IAccessTokenSource
{
    public const string BigQueryScope = "https://www.googleapis.com/auth/bigquery";

    private readonly GoogleCredential _credential;

    private GoogleAccessTokenSource(GoogleCredential credential) => _credential = credential;

    /// <exception cref="BigQueryException">No Application Default Credentials are available, or they are unreadable.</exception>
    public static async Task<GoogleAccessTokenSource> FromApplicationDefaultAsync(CancellationToken cancellationToken)
    {
        try
        {
            var credential = await GoogleCredential.GetApplicationDefaultAsync(cancellationToken).ConfigureAwait(false);
            return new GoogleAccessTokenSource(credential.CreateScoped(BigQueryScope));
        }
        catch (InvalidOperationException ex)
        {
            // The Google library's way of saying "no credentials here": ours, so hosts need not know its types.
            throw new BigQueryException(ex.Message, ex);
        }
    }

    /// <exception cref="BigQueryException">The token service refused the credentials.</exception>
    public async Task<string> GetAccessTokenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await ((ITokenAccess)_credential).GetAccessTokenForRequestAsync(null, cancellationToken).ConfigureAwait(false);
        }
        catch (TokenResponseException ex)
        {
            // Not transient (no HTTP status of BigQuery's): the request fails at once, as a refusal should.
            throw new BigQueryException(ex.Message, ex);
        }
    }

    /// <exception cref="BigQueryException">The token service refused the credentials.</exception>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Service accounts, the metadata server and external accounts are ServiceCredentials; gcloud users are
            // UserCredentials. Both replace their cached token with the one they fetch here.
            switch (_credential.UnderlyingCredential)
            {
                case ServiceCredential service:
                    await service.RequestAccessTokenAsync(cancellationToken).ConfigureAwait(false);
                    break;
                case UserCredential user:
                    await user.RefreshTokenAsync(cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
        catch (TokenResponseException ex)
        {
            throw new BigQueryException(ex.Message, ex);
        }
    }
}

/// <summary>
/// ADC looked up on the first request, for hosts that build the client synchronously (DI). A failed lookup is not
/// kept: on GKE the Workload Identity metadata server is often not ready in a pod's first seconds, and a cached
/// failure would fail every later write until a restart. The next request looks again.
/// </summary>
public sealed class LazyApplicationDefaultTokenSource : IAccessTokenSource
{
    private readonly Func<CancellationToken, Task<IAccessTokenSource>> _lookup;
    private readonly Lock _gate = new();
    private Task<IAccessTokenSource>? _lookupTask;

    public LazyApplicationDefaultTokenSource()
        : this(async ct => await GoogleAccessTokenSource.FromApplicationDefaultAsync(ct).ConfigureAwait(false))
    {
    }

    /// <param name="lookup">Finds the credentials; called again after each failure until one succeeds.</param>
    public LazyApplicationDefaultTokenSource(Func<CancellationToken, Task<IAccessTokenSource>> lookup) =>
        _lookup = lookup ?? throw new ArgumentNullException(nameof(lookup));

    public async Task<string> GetAccessTokenAsync(CancellationToken cancellationToken)
    {
        var source = await SourceAsync(cancellationToken).ConfigureAwait(false);
        return await source.GetAccessTokenAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var source = await SourceAsync(cancellationToken).ConfigureAwait(false);
        await source.RefreshAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<IAccessTokenSource> SourceAsync(CancellationToken cancellationToken)
    {
        Task<IAccessTokenSource> lookup;
        lock (_gate)
        {
            // One lookup at a time, shared by the requests that wait on it; not tied to any one request's token.
            lookup = _lookupTask ??= _lookup(CancellationToken.None);
        }

        try
        {
            return await lookup.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (lookup.IsFaulted || lookup.IsCanceled)
        {
            // Only a success is kept: this request fails, the next one looks again.
            lock (_gate)
            {
                if (_lookupTask == lookup)
                {
                    _lookupTask = null;
                }
            }

            throw;
        }
    }
}
