using System.Globalization;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>
/// <c>pipeline broker</c> → <c>pipeline produce</c> → <c>pipeline process --sink bigquery --bigquery-endpoint</c>
/// against the stand-in, with injected faults: every valid transaction is accepted once by insertId, every invalid
/// one is dead-lettered, and offsets are committed only after (a second run finds nothing left to do).
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class CliEndToEndTests : IAsyncLifetime
{
    private BigQueryStandIn _standIn = null!;

    public async Task InitializeAsync() => _standIn = await BigQueryStandIn.StartAsync();

    public async Task DisposeAsync()
    {
        Assert.Empty(_standIn.ContractViolations);
        await _standIn.DisposeAsync();
    }

    [Fact]
    public async Task Process_with_the_bigquery_sink_stores_everything_once_through_faults()
    {
        await using var broker = Cli.Start("broker", "--partitions", "3", "--brokers", "1");
        var first = await broker.WaitForLineAsync(l => l.StartsWith("bootstrap.servers=", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        var servers = first["bootstrap.servers=".Length..];

        var produced = await Cli.RunAsync(TimeSpan.FromSeconds(90), "produce", "--bootstrap-servers", servers,
            "--count", "3000", "--bad-ratio", "0.05", "--seed", "7");
        Assert.True(produced.ExitCode == 0, produced.Output);
        var bad = int.Parse(BadCount().Match(produced.Output).Groups[1].Value, CultureInfo.InvariantCulture);

        _standIn.FailNext(503, "backendError", times: 2);
        _standIn.ResetNext();
        _standIn.FailNext(429, "rateLimitExceeded");
        string[] process = ["process", "--bootstrap-servers", servers, "--sink", "bigquery", "--bigquery-project", "proj",
            "--bigquery-dataset", "ds", "--bigquery-table", "transactions", "--bigquery-endpoint", _standIn.Endpoint.ToString(), "--bigquery-write-api", "insertall",
            "--until-idle", "3s", "--metrics-port", "0"];
        var run = await Cli.RunAsync(TimeSpan.FromSeconds(120), process);

        Assert.True(run.ExitCode == 0, run.Output);
        var summary = Summary().Match(run.Output);
        Assert.True(summary.Success, run.Output);
        var stored = long.Parse(summary.Groups["stored"].Value, CultureInfo.InvariantCulture);
        var deadLetters = long.Parse(summary.Groups["dead"].Value, CultureInfo.InvariantCulture);
        Assert.Equal(3000, long.Parse(summary.Groups["consumed"].Value, CultureInfo.InvariantCulture));
        Assert.Equal(_standIn.Rows["ds.transactions"].Count, stored);
        Assert.Equal(_standIn.Rows["ds.dead_letters"].Count, deadLetters);
        Assert.True(deadLetters >= bad, $"{deadLetters} dead letters for {bad} injected bad messages");
        Assert.Equal(3000, stored + deadLetters + long.Parse(summary.Groups["dups"].Value, CultureInfo.InvariantCulture));
        // Each stored transaction_id arrived exactly once (the faults above failed whole requests before storing).
        Assert.All(_standIn.Rows["ds.transactions"].Keys, id => Assert.Equal(1, _standIn.Deliveries[id]));

        // Committed: a second run over the same group has nothing to read and stores nothing more.
        var again = await Cli.RunAsync(TimeSpan.FromSeconds(120), process);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains("consumed=0 ", again.Output, StringComparison.Ordinal);
        Assert.Equal(stored, _standIn.Rows["ds.transactions"].Count);
    }

    [Fact]
    public async Task A_missing_dataset_exits_1_with_a_clear_message()
    {
        _standIn.Datasets.Clear();

        var run = await Cli.RunAsync(TimeSpan.FromSeconds(60), "process", "--bootstrap-servers", "127.0.0.1:1",
            "--sink", "bigquery", "--bigquery-project", "proj", "--bigquery-dataset", "ds",
            "--bigquery-endpoint", _standIn.Endpoint.ToString(), "--bigquery-write-api", "insertall", "--metrics-port", "0");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("pipeline: error: BigQuery: BigQuery table proj.ds.transactions cannot be created: dataset not found", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Access_refused_mid_run_stops_the_processor_with_exit_1_and_commits_only_what_was_stored()
    {
        await using var broker = Cli.Start("broker", "--partitions", "3", "--brokers", "1");
        var first = await broker.WaitForLineAsync(l => l.StartsWith("bootstrap.servers=", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        var servers = first["bootstrap.servers=".Length..];
        var produced = await Cli.RunAsync(TimeSpan.FromSeconds(90), "produce", "--bootstrap-servers", servers, "--count", "500", "--seed", "11");
        Assert.True(produced.ExitCode == 0, produced.Output);
        string[] process = ["process", "--bootstrap-servers", servers, "--sink", "bigquery", "--bigquery-project", "proj",
            "--bigquery-dataset", "ds", "--bigquery-endpoint", _standIn.Endpoint.ToString(), "--bigquery-write-api", "insertall", "--metrics-port", "0"];

        await using var processor = Cli.Start(process);
        var deadline = Stopwatch.StartNew();
        using (var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(50)))
        {
            while (!(_standIn.Rows.TryGetValue("ds.transactions", out var rows) && rows.Count + DeadLetterCount() >= 500))
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(90) && !processor.HasExited,
                    "the first 500 messages were not stored: " + processor.Output);
                await poll.WaitForNextTickAsync();
            }
        }

        var storedBefore = _standIn.Rows["ds.transactions"].Count;
        _standIn.FailNext(403, "accessDenied", times: 1000);
        var more = await Cli.RunAsync(TimeSpan.FromSeconds(90), "produce", "--bootstrap-servers", servers, "--count", "500", "--seed", "12");
        Assert.True(more.ExitCode == 0, more.Output);

        Assert.Equal(1, await processor.WaitForExitAsync(TimeSpan.FromSeconds(90)));
        Assert.Contains("pipeline: error: BigQuery refuses the write and retrying cannot help", processor.Output, StringComparison.Ordinal);
        Assert.Equal(storedBefore, _standIn.Rows["ds.transactions"].Count);

        // Nothing refused was committed: a run after access is restored reads and stores the second 500.
        _standIn.ClearFaults();
        var again = await Cli.RunAsync(TimeSpan.FromSeconds(120), [.. process, "--until-idle", "3s"]);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains("consumed=500 ", again.Output, StringComparison.Ordinal);
    }

    private int DeadLetterCount() => _standIn.Rows.TryGetValue("ds.dead_letters", out var d) ? d.Count : 0;

    [GeneratedRegex(@"bad=(\d+)")]
    private static partial Regex BadCount();

    [GeneratedRegex(@"processed: consumed=(?<consumed>\d+) stored=(?<stored>\d+) dead_letters=(?<dead>\d+) duplicates=(?<dups>\d+)")]
    private static partial Regex Summary();
}

/// <summary>
/// The built CLI from its own output folder: next to these tests it would miss assemblies that the ASP.NET Core
/// framework (the stand-in's) provides here but not to the CLI.
/// </summary>
internal static class Cli
{
    /// <summary>functions/Ecommerce.Pipeline.Cli/bin/{Configuration}/net10.0, the configuration these tests run in.</summary>
    public static string Directory => PipelineProcess.CliOutputDirectory;

    public static PipelineProcess Start(params string[] args) => PipelineProcess.Start(args, pipelineDirectory: Directory);

    /// <summary>An embedded broker (3 partitions) and its bootstrap servers.</summary>
    public static async Task<(PipelineProcess Broker, string Servers)> StartBrokerAsync()
    {
        var broker = Start("broker", "--partitions", "3", "--brokers", "1");
        var first = await broker.WaitForLineAsync(l => l.StartsWith("bootstrap.servers=", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        return (broker, first["bootstrap.servers=".Length..]);
    }

    /// <summary>Polls (not sleeps) until <paramref name="done"/> holds; fails if the process exits or 90 s pass first.</summary>
    public static async Task WaitUntilAsync(Func<bool> done, PipelineProcess process, string what)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (!done())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(90) && !process.HasExited, what + ": " + process.Output);
            await poll.WaitForNextTickAsync();
        }
    }

    /// <summary>Runs to completion; Output holds stdout, then stderr.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(TimeSpan timeout, params string[] args)
    {
        var (code, stdout, stderr) = await PipelineProcess.RunAsync(args, timeout, pipelineDirectory: Directory);
        return (code, stdout + "\n" + stderr);
    }
}
