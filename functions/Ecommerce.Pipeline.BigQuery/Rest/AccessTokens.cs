using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;

namespace Ecommerce.Pipeline.BigQuery.Rest;

/// <summary>Supplies the bearer token of each request.</summary>
public interface IAccessTokenSource
{
    Task<string> GetAccessTokenAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS service-account JSON, gcloud user credentials, or
/// the GCE/GKE metadata server, which is how Workload Identity appears) with the BigQuery scope. The library caches
/// and refreshes the token.
/// </summary>
public sealed class GoogleAccessTokenSource : IAccessTokenSource
{
    public const string BigQueryScope = "https://www.googleapis.com/auth/bigquery";

    private readonly ITokenAccess _credential;

    private GoogleAccessTokenSource(ITokenAccess credential) => _credential = credential;

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
            return await _credential.GetAccessTokenForRequestAsync(null, cancellationToken).ConfigureAwait(false);
        }
        catch (TokenResponseException ex)
        {
            // Not transient (no HTTP status of BigQuery's): the request fails at once, as a refusal should.
            throw new BigQueryException(ex.Message, ex);
        }
    }
}

/// <summary>ADC looked up on the first request, for hosts that build the client synchronously (DI).</summary>
public sealed class LazyApplicationDefaultTokenSource : IAccessTokenSource
{
    private readonly Lazy<Task<GoogleAccessTokenSource>> _source =
        new(() => GoogleAccessTokenSource.FromApplicationDefaultAsync(CancellationToken.None));

    public async Task<string> GetAccessTokenAsync(CancellationToken cancellationToken)
    {
        var source = await _source.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await source.GetAccessTokenAsync(cancellationToken).ConfigureAwait(false);
    }
}
