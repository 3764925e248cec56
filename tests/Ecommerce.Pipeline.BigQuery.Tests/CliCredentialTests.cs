using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Ecommerce.Pipeline.TestSupport;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>
/// <c>pipeline process --sink bigquery</c> with a real service-account key (made at test time, in a temp dir) as
/// Application Default Credentials (<c>GOOGLE_APPLICATION_CREDENTIALS</c>), its <c>token_uri</c> at the stand-in's
/// token endpoint, and <c>--bigquery-credentials adc</c> so that the endpoint override still gets tokens. Google's
/// library reads <c>token_uri</c> into the credential's token server and posts the JWT-bearer grant there
/// (googleapis/google-api-dotnet-client, Src/Support/Google.Apis.Auth/OAuth2/CredentialFactory.cs:
/// <c>new ServiceAccountCredential.Initializer(ClientEmail, TokenUri)</c>; ServiceAccountCredential.cs,
/// <c>RequestAccessTokenAsync</c>: a <c>GoogleAssertionTokenRequest</c> (Requests/GoogleAssertionTokenRequest.cs:
/// grant_type <c>urn:ietf:params:oauth:grant-type:jwt-bearer</c> and <c>assertion</c>, form-encoded) posted to the
/// token server).
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class CliCredentialTests : StandInTests
{
    private const string Account = "pipeline@proj.iam.gserviceaccount.com";

    [Fact]
    public async Task A_token_that_expires_early_is_refreshed_once_and_everything_is_stored_once_and_committed()
    {
        using var key = RSA.Create(2048);
        using var dir = new TempDir();
        var (broker, servers) = await Cli.StartBrokerAsync();
        await using var _ = broker;
        await ProduceAsync(servers, 51);
        string[] process = [.. Process(servers)];
        var keyFile = KeyFile(dir, key);

        await using (var processor = Start(process, keyFile))
        {
            await Cli.WaitUntilAsync(() => Stored() >= 500, processor, "the first 500 messages were not stored");
            Assert.Equal(1, StandIn.TokenRequests); // one token, cached, for the start-up checks and every write

            StandIn.ExpireIssuedTokens();
            await ProduceAsync(servers, 52);
            await Cli.WaitUntilAsync(() => Stored() >= 1000, processor, "the second 500 were not stored after the 401s");

            processor.Interrupt();
            Assert.Equal(0, await processor.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("refreshing it once and sending again", processor.Output, StringComparison.Ordinal);
        }

        // One refresh for all the writes that met the expired token side by side.
        Assert.Equal(2, StandIn.TokenRequests);
        var claims = StandIn.GrantedClaims.Last();
        Assert.Equal(Account, claims.GetProperty("iss").GetString());
        Assert.Equal("https://www.googleapis.com/auth/bigquery", claims.GetProperty("scope").GetString());
        // Stored exactly once: the refused requests stored nothing, so each row arrived once.
        Assert.Equal(1000, Stored());
        Assert.All(StandIn.Rows["ds.transactions"].Keys, id => Assert.Equal(1, StandIn.Deliveries[id]));
        Assert.All(StandIn.Requests, r => Assert.StartsWith("Bearer ya29.", r.Authorization, StringComparison.Ordinal));

        // Committed: a second run over the same group has nothing left.
        var again = await RunAsync([.. process, "--until-idle", "3s"], keyFile);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains("consumed=0 ", again.Output, StringComparison.Ordinal);
        Assert.Equal(1000, Stored());
    }

    [Fact]
    public async Task A_revoked_key_stops_the_processor_with_exit_1_naming_the_credentials_and_commits_nothing_after()
    {
        using var key = RSA.Create(2048);
        using var dir = new TempDir();
        var (broker, servers) = await Cli.StartBrokerAsync();
        await using var _ = broker;
        await ProduceAsync(servers, 61);
        string[] process = [.. Process(servers)];
        var keyFile = KeyFile(dir, key);

        await using (var processor = Start(process, keyFile))
        {
            await Cli.WaitUntilAsync(() => Stored() >= 500, processor, "the first 500 messages were not stored");

            StandIn.KeyRevoked = true; // the key is deleted: its token expires and no new one is issued
            StandIn.ExpireIssuedTokens();
            await ProduceAsync(servers, 62);

            Assert.Equal(1, await processor.WaitForExitAsync(TimeSpan.FromSeconds(90)));
            var errors = processor.StderrLines.Where(l => l.StartsWith("pipeline: error:", StringComparison.Ordinal)).ToList();
            var line = Assert.Single(errors);
            Assert.Matches(RevokedLine(), line);
        }

        Assert.True(StandIn.TokenRequests >= 2, $"{StandIn.TokenRequests} token requests");
        Assert.Equal(500, Stored());

        // Nothing after the failed batch was committed: with a key that works, a run reads the second 500 again.
        StandIn.KeyRevoked = false;
        var again = await RunAsync([.. process, "--until-idle", "3s"], keyFile);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains("consumed=500 ", again.Output, StringComparison.Ordinal);
        Assert.Equal(1000, Stored());
    }

    private IEnumerable<string> Process(string servers) =>
    [
        "process", "--bootstrap-servers", servers, "--sink", "bigquery", "--bigquery-project", "proj",
        "--bigquery-dataset", "ds", "--bigquery-endpoint", StandIn.Endpoint.ToString(), "--bigquery-credentials", "adc",
        "--bigquery-write-api", "insertall",
        "--metrics-port", "0",
    ];

    private int Stored() => StandIn.Rows.TryGetValue("ds.transactions", out var rows) ? rows.Count : 0;

    private static async Task ProduceAsync(string servers, int seed)
    {
        var produced = await Cli.RunAsync(TimeSpan.FromSeconds(90), "produce", "--bootstrap-servers", servers, "--count", "500",
            "--seed", seed.ToString(CultureInfo.InvariantCulture));
        Assert.True(produced.ExitCode == 0, produced.Output);
    }

    /// <summary>A service-account key file as the console downloads it, for a key made here; the stand-in trusts its public half.</summary>
    private string KeyFile(TempDir dir, RSA key)
    {
        var path = dir.File("key.json");
        File.WriteAllText(path, StandIn.TrustedKeyJson(Account, key));
        return path;
    }

    private static PipelineProcess Start(IEnumerable<string> args, string keyFile) =>
        PipelineProcess.Start(args, environment: Credentials(keyFile), pipelineDirectory: Cli.Directory);

    private static async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> args, string keyFile)
    {
        var (code, stdout, stderr) = await PipelineProcess.RunAsync(args, TimeSpan.FromSeconds(120), environment: Credentials(keyFile),
            pipelineDirectory: Cli.Directory);
        return (code, stdout + "\n" + stderr);
    }

    private static Dictionary<string, string> Credentials(string keyFile) => new() { ["GOOGLE_APPLICATION_CREDENTIALS"] = keyFile };

    [GeneratedRegex(@"^pipeline: error: .*BigQuery credentials refused by the token service http://127\.0\.0\.1:\d+/token: HTTP 400 invalid_grant \(Invalid JWT Signature\.\)")]
    private static partial Regex RevokedLine();
}
