using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>
/// The stand-in's OAuth 2.0 token endpoint for service-account keys, as Google's answers it
/// (https://developers.google.com/identity/protocols/oauth2/service-account, "Preparing to make an authorized API
/// call" over HTTP/REST): a form POST with <c>grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer</c> and
/// <c>assertion</c>, a JWT signed RS256 with the key whose claims name the service account (<c>iss</c>), the scopes
/// (<c>scope</c>), Google's token endpoint (<c>aud</c>) and at most an hour between <c>iat</c> and <c>exp</c>. It checks the
/// signature with the public key it was given and answers <c>access_token</c>, <c>expires_in</c> and
/// <c>token_type</c>; a revoked key gets Google's 400 <c>invalid_grant</c> "Invalid JWT Signature."
/// (googleapis/google-cloud-python#10004). Once a key is trusted, BigQuery calls must carry a token issued here and
/// not expired, or get 401 (credential mode).
/// </summary>
internal sealed partial class BigQueryStandIn
{
    public const string TokenPath = "/token";

    /// <summary>
    /// The <c>aud</c> Google requires: "When making an access token request this value is always
    /// https://oauth2.googleapis.com/token" (the page above). Google.Apis.Auth 1.78.0 sends exactly that, also when
    /// the key file's <c>token_uri</c> sends the request elsewhere (seen here: it posts to this endpoint).
    /// </summary>
    public const string GoogleTokenAudience = "https://oauth2.googleapis.com/token";

    private readonly ConcurrentDictionary<string, bool> _issuedTokens = new();
    private readonly ConcurrentQueue<JsonElement> _grantedClaims = new();
    private RSAParameters? _trustedKey;
    private string? _trustedAccount;
    private int _tokenRequests;

    /// <summary>Where a service-account key file's <c>token_uri</c> points.</summary>
    public Uri TokenUri => new(Endpoint, TokenPath.TrimStart('/'));

    /// <summary>Token requests received (granted or refused).</summary>
    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    /// <summary>The claim sets of the assertions a token was issued for.</summary>
    public IReadOnlyCollection<JsonElement> GrantedClaims => _grantedClaims;

    /// <summary>The token endpoint refuses every assertion, as Google does once the key is deleted or disabled.</summary>
    public bool KeyRevoked { get; set; }

    /// <summary>
    /// Trusts <paramref name="publicKey"/> for <paramref name="account"/> and turns credential mode on: from now on a
    /// BigQuery call without a valid token issued here gets 401.
    /// </summary>
    public void TrustServiceAccount(string account, RSAParameters publicKey)
    {
        _trustedAccount = account;
        _trustedKey = publicKey;
        AcceptToken = token => token is not null && _issuedTokens.TryGetValue(token, out var valid) && valid;
    }

    /// <summary>
    /// A service-account key file's JSON, as the console downloads it, for <paramref name="key"/>, its <c>token_uri</c>
    /// here; the key's public half is trusted for <paramref name="account"/> (<see cref="TrustServiceAccount"/>).
    /// </summary>
    public string TrustedKeyJson(string account, RSA key)
    {
        TrustServiceAccount(account, key.ExportParameters(includePrivateParameters: false));
        return new JsonObject
        {
            ["type"] = "service_account",
            ["project_id"] = "proj",
            ["private_key_id"] = "stand-in-key-1",
            ["private_key"] = key.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = account,
            ["client_id"] = "100000000000000000001",
            ["auth_uri"] = "https://accounts.google.com/o/oauth2/auth",
            ["token_uri"] = TokenUri.ToString(),
        }.ToJsonString();
    }

    /// <summary>The token-expiry switch: every token issued so far is refused with 401 from now on (expired early).</summary>
    public void ExpireIssuedTokens()
    {
        foreach (var token in _issuedTokens.Keys)
        {
            _issuedTokens[token] = false;
        }
    }

    private async Task HandleTokenRequestAsync(HttpContext ctx)
    {
        Interlocked.Increment(ref _tokenRequests);
        var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
        if (form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer")
        {
            await WriteTokenErrorAsync(ctx, "unsupported_grant_type", "Invalid grant_type: " + form["grant_type"]);
            return;
        }

        var parts = form["assertion"].ToString().Split('.');
        using var key = RSA.Create();
        if (_trustedKey is { } trusted)
        {
            key.ImportParameters(trusted);
        }

        if (parts.Length != 3 || KeyRevoked || _trustedKey is null
            || !key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64UrlDecode(parts[2]),
                HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            await WriteTokenErrorAsync(ctx, "invalid_grant", "Invalid JWT Signature.");
            return;
        }

        var header = JsonDocument.Parse(Base64UrlDecode(parts[0])).RootElement;
        var claims = JsonDocument.Parse(Base64UrlDecode(parts[1])).RootElement;
        var now = Clock.GetUtcNow().ToUnixTimeSeconds();
        var iat = claims.GetProperty("iat").GetInt64();
        var exp = claims.GetProperty("exp").GetInt64();
        if (header.GetProperty("alg").GetString() != "RS256"
            || claims.GetProperty("iss").GetString() != _trustedAccount
            || claims.GetProperty("aud").GetString() != GoogleTokenAudience
            || !claims.TryGetProperty("scope", out _)
            || exp - iat > 3600 || iat > now + 300 || exp < now)
        {
            // A client that signs what Google would refuse breaks the token endpoint's contract: the test fails on it.
            ContractViolations.Enqueue($"token request: assertion header {header}, claims {claims}; expected iss {_trustedAccount}, aud {GoogleTokenAudience}, now {now}");
            await WriteTokenErrorAsync(ctx, "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.");
            return;
        }

        var token = "ya29.stand-in-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        _issuedTokens[token] = true;
        _grantedClaims.Enqueue(claims.Clone());
        // 3599 s as Google gives; the client then uses it for most of an hour, so only a 401 makes it ask again.
        await WriteTokenJsonAsync(ctx, 200, new JsonObject { ["access_token"] = token, ["expires_in"] = 3599, ["token_type"] = "Bearer" });
    }

    private static Task WriteTokenErrorAsync(HttpContext ctx, string error, string description) =>
        WriteTokenJsonAsync(ctx, 400, new JsonObject { ["error"] = error, ["error_description"] = description });

    private static async Task WriteTokenJsonAsync(HttpContext ctx, int status, JsonObject body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        await ctx.Response.WriteAsync(body.ToJsonString());
    }

    private static byte[] Base64UrlDecode(string text) => Convert.FromBase64String(
        text.Replace('-', '+').Replace('_', '/').PadRight(text.Length + (4 - text.Length % 4) % 4, '='));
}
