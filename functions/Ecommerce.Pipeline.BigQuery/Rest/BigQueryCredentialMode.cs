namespace Ecommerce.Pipeline.BigQuery.Rest;

/// <summary>Whether the client sends Google credentials (docs/contract.md, Settings: <c>BigQuery__Credentials</c>).</summary>
public enum BigQueryCredentialMode
{
    /// <summary><c>auto</c>: Application Default Credentials, unless an endpoint override is given (an emulator takes none).</summary>
    Auto,

    /// <summary><c>adc</c>: Application Default Credentials always, also with an endpoint override (a proxy, a private endpoint).</summary>
    ApplicationDefault,

    /// <summary><c>none</c>: no credentials, also against the real service (which then answers 401).</summary>
    None,
}

/// <summary>The setting's spelling of <see cref="BigQueryCredentialMode"/>.</summary>
public static class BigQueryCredentialModes
{
    public const string AutoName = "auto";
    public const string ApplicationDefaultName = "adc";
    public const string NoneName = "none";

    /// <summary><c>auto</c>, <c>adc</c> or <c>none</c>, in any case, surrounding blanks ignored.</summary>
    public static bool TryParse(string? text, out BigQueryCredentialMode mode)
    {
        (var known, mode) = text?.Trim().ToLowerInvariant() switch
        {
            AutoName => (true, BigQueryCredentialMode.Auto),
            ApplicationDefaultName => (true, BigQueryCredentialMode.ApplicationDefault),
            NoneName => (true, BigQueryCredentialMode.None),
            _ => (false, BigQueryCredentialMode.Auto),
        };
        return known;
    }

    /// <summary>Whether a client of this mode sends credentials to <paramref name="endpoint"/> (null: the real service).</summary>
    public static bool SendsCredentials(this BigQueryCredentialMode mode, Uri? endpoint) => mode switch
    {
        BigQueryCredentialMode.ApplicationDefault => true,
        BigQueryCredentialMode.None => false,
        _ => endpoint is null,
    };
}
