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
/// token server). Through the Storage Write API the REST client (table checks, watermark queries) and the gRPC client
/// (streams, appends) share that one credential: one token request serves both, and a refused or revoked token is
/// met the same way by both.
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class CliCredentialTests : StorageWriteStandInPair
{
    private const string Account = "pipeline@proj.iam.gserviceaccount.com";

    [Fact]
    public async Task A_token_that_expires_early_is_refreshed_once_and_everything_is_stored_once_and_committed()
    {
        await using var run = await StartAsync(51);
        var (servers, keyFile) = (run.Servers, run.KeyFile);
        string[] process = [.. Process(servers)];

        await using (var processor = Start(process, keyFile))
        {
            await Cli.WaitUntilAsync(() => Stored() >= 500, processor, "the first 500 messages were not stored");
            Assert.Equal(1, Rest.TokenRequests); // one token, cached, for the start-up checks and every write

            Rest.ExpireIssuedTokens();
            await ProduceAsync(servers, 52);
            await Cli.WaitUntilAsync(() => Stored() >= 1000, processor, "the second 500 were not stored after the 401s");

            processor.Interrupt();
            Assert.Equal(0, await processor.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("refreshing it once and sending again", processor.Output, StringComparison.Ordinal);
        }

        // One refresh for all the writes that met the expired token side by side.
        Assert.Equal(2, Rest.TokenRequests);
        var claims = Rest.GrantedClaims.Last();
        Assert.Equal(Account, claims.GetProperty("iss").GetString());
        Assert.Equal("https://www.googleapis.com/auth/bigquery", claims.GetProperty("scope").GetString());
        // Stored exactly once: the refused requests stored nothing, so each row arrived once.
        Assert.Equal(1000, Stored());
        Assert.All(Rest.Rows["ds.transactions"].Keys, id => Assert.Equal(1, Rest.Deliveries[id]));
        Assert.All(Rest.Requests, r => Assert.StartsWith("Bearer ya29.", r.Authorization, StringComparison.Ordinal));

        // Committed: a second run over the same group has nothing left.
        var again = await RunAsync([.. process, "--until-idle", "3s"], keyFile);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains("consumed=0 ", again.Output, StringComparison.Ordinal);
        Assert.Equal(1000, Stored());
    }

    [Fact]
    public async Task Through_the_storage_write_api_one_token_serves_the_rest_and_the_grpc_calls_and_one_refresh_serves_both()
    {
        await using var run = await StartAsync(53);
        var (servers, keyFile) = (run.Servers, run.KeyFile);
        string[] process = [.. Process(servers, "storage")];

        await using (var processor = Start(process, keyFile))
        {
            await Cli.WaitUntilAsync(() => Stored() >= 500, processor, "the first 500 messages were not stored");
            // Table checks and watermark queries over REST, streams and appends over gRPC: all with one token.
            Assert.Contains(Rest.Requests, r => r.MethodId == "bigquery.jobs.query");
            Assert.True(Write.AppendRequests > 0);
            Assert.Equal(1, Rest.TokenRequests);

            // The tokens expire early and the connections break, so each reconnects with the expired token.
            Rest.ExpireIssuedTokens();
            Write.InjectFault(StorageWriteFault.Unavailable, times: 3);
            await ProduceAsync(servers, 54);
            await Cli.WaitUntilAsync(() => Stored() >= 1000, processor, "the second 500 were not stored after the refusals");

            processor.Interrupt();
            Assert.Equal(0, await processor.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        }

        Assert.True(Write.Unauthenticated > 0, "no gRPC call met the expired token");
        // One refresh for every call of either client that met the expired token.
        Assert.Equal(2, Rest.TokenRequests);
        Assert.All(Rest.Requests, r => Assert.StartsWith("Bearer ya29.", r.Authorization, StringComparison.Ordinal));
        Assert.Equal(1000, Stored()); // each message once: the refused calls stored nothing
    }

    [Theory]
    [InlineData("insertall")]
    [InlineData("storage")]
    public async Task A_revoked_key_stops_the_processor_with_exit_1_naming_the_credentials_and_commits_nothing_after(string writeApi)
    {
        await using var run = await StartAsync(61);
        var (servers, keyFile) = (run.Servers, run.KeyFile);
        string[] process = [.. Process(servers, writeApi)];

        await using (var processor = Start(process, keyFile))
        {
            await Cli.WaitUntilAsync(() => Stored() >= 500, processor, "the first 500 messages were not stored");

            Rest.KeyRevoked = true; // the key is deleted: its token expires and no new one is issued
            Rest.ExpireIssuedTokens();
            if (writeApi == "storage")
            {
                // An open AppendRows stream keeps the token it started with: the connections break and reconnect.
                Write.InjectFault(StorageWriteFault.Unavailable, times: 3);
            }

            await ProduceAsync(servers, 62);

            Assert.Equal(1, await processor.WaitForExitAsync(TimeSpan.FromSeconds(90)));
            var errors = processor.StderrLines.Where(l => l.StartsWith("pipeline: error:", StringComparison.Ordinal)).ToList();
            var line = Assert.Single(errors);
            Assert.Matches(RevokedLine(), line);
        }

        Assert.True(Rest.TokenRequests >= 2, $"{Rest.TokenRequests} token requests");
        Assert.Equal(500, Stored());

        // Nothing after the failed batch was committed: with a key that works, a run reads the second 500 again.
        Rest.KeyRevoked = false;
        var again = await RunAsync([.. process, "--until-idle", "3s"], keyFile);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains("consumed=500 ", again.Output, StringComparison.Ordinal);
        Assert.Equal(1000, Stored());
    }

    private IEnumerable<string> Process(string servers, string writeApi = "insertall") =>
    [
        "process", "--bootstrap-servers", servers, "--sink", "bigquery", "--bigquery-project", "proj",
        "--bigquery-dataset", "ds", "--bigquery-endpoint", Rest.Endpoint.ToString(), "--bigquery-credentials", "adc",
        "--bigquery-storage-endpoint", Write.Endpoint.ToString(), "--bigquery-write-api", writeApi,
        "--metrics-port", "0",
    ];

    /// <summary>Messages stored, as transactions or dead letters.</summary>
    private int Stored() => Rest.LiveRows("ds.transactions").Count + Rest.LiveRows("ds.dead_letters").Count;

    private static async Task ProduceAsync(string servers, int seed)
    {
        var produced = await Cli.RunAsync(TimeSpan.FromSeconds(90), "produce", "--bootstrap-servers", servers, "--count", "500",
            "--seed", seed.ToString(CultureInfo.InvariantCulture));
        Assert.True(produced.ExitCode == 0, produced.Output);
    }

    /// <summary>
    /// A broker with 500 messages of <paramref name="seed"/>, and a service-account key file as the console downloads
    /// it, for a key made here; the stand-in trusts its public half.
    /// </summary>
    private async Task<Setup> StartAsync(int seed)
    {
        var (broker, servers) = await Cli.StartBrokerAsync();
        var setup = new Setup(RSA.Create(2048), new TempDir(), broker, servers);
        try
        {
            File.WriteAllText(setup.KeyFile, Rest.TrustedKeyJson(Account, setup.Key));
            await ProduceAsync(servers, seed);
            return setup;
        }
        catch
        {
            await setup.DisposeAsync();
            throw;
        }
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

    private sealed record Setup(RSA Key, TempDir Dir, PipelineProcess Broker, string Servers) : IAsyncDisposable
    {
        public string KeyFile => Dir.File("key.json");

        public async ValueTask DisposeAsync()
        {
            await Broker.DisposeAsync();
            Dir.Dispose();
            Key.Dispose();
        }
    }
}
