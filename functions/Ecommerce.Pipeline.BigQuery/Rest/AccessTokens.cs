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

    /// <summary>A source for given credentials (a key read by the caller), with the BigQuery scope.</summary>
    internal static GoogleAccessTokenSource FromCredential(GoogleCredential credential) =>
        new((credential ?? throw new ArgumentNullException(nameof(credential))).CreateScoped(BigQueryScope));

    /// <exception cref="BigQueryException">The token service refused the credentials.</exception>
    public async Task<string> GetAccessTokenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await ((ITokenAccess)_credential).GetAccessTokenForRequestAsync(null, cancellationToken).ConfigureAwait(false);
        }
        catch (TokenResponseException ex)
        {
            throw Refused(ex);
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
            throw Refused(ex);
        }
    }

    /// <summary>
    /// The token service's answer in the client's terms. A 4xx is a refusal of the credentials themselves (RFC 6749,
    /// section 5.2: <c>invalid_grant</c>, <c>invalid_client</c>, …; Google answers a deleted or rotated service-account
    /// key with 400 <c>invalid_grant</c> "Invalid JWT Signature.", e.g. googleapis/google-cloud-python#10004): no retry
    /// fixes that, so it is reported as a 401, which stops the sink. Anything else (a 5xx, no answer) has no status
    /// and fails only this attempt of the batch.
    /// </summary>
    private BigQueryException Refused(TokenResponseException ex)
    {
        var service = (_credential.UnderlyingCredential as ServiceCredential)?.TokenServerUrl;
        var what = $"{ex.Error?.Error}{(string.IsNullOrEmpty(ex.Error?.ErrorDescription) ? "" : $" ({ex.Error.ErrorDescription})")}";
        var status = (int?)ex.StatusCode;
        if (status is >= 400 and < 500)
        {
            return new BigQueryException(System.Net.HttpStatusCode.Unauthorized, ex.Error?.Error,
                $"BigQuery credentials refused by the token service{(service is null ? "" : " " + service)}: HTTP {status} {what}; " +
                "a revoked, deleted or disabled service-account key (or identity) looks like this", ex);
        }

        return new BigQueryException(
            $"the token service{(service is null ? "" : " " + service)} did not issue a token: {(status is null ? "" : $"HTTP {status} ")}{what}", ex);
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
