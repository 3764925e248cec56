using System.Globalization;
using System.Text.RegularExpressions;
using Ecommerce.Pipeline.TestSupport;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>
/// <c>pipeline process --sink bigquery</c> against the stand-in with its realism switches on: a payload limit, a
/// 404 window after the tables are created, throttling bursts, best-effort dedup and log-normal latency. Every
/// valid transaction ends in the live table, only the row too big for any request is <c>rejected_by_sink</c>, the
/// run does not stall, and nothing is committed that was not stored.
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class CliServiceBehaviourTests : StandInTests
{
    [Fact]
    public async Task Process_stores_every_valid_transaction_through_what_the_real_service_does()
    {
        var (broker, servers) = await Cli.StartBrokerAsync();
        await using var _ = broker;
        var produced = await Cli.RunAsync(TimeSpan.FromSeconds(90), "produce", "--bootstrap-servers", servers,
            "--count", "2000", "--bad-ratio", "0.05", "--seed", "21");
        Assert.True(produced.ExitCode == 0, produced.Output);
        var bad = int.Parse(BadCount().Match(produced.Output).Groups[1].Value, CultureInfo.InvariantCulture);
        using var dir = new TempDir();
        var file = Path.Combine(dir.Path, "extra.jsonl");
        var now = DateTimeOffset.UtcNow;
        await File.WriteAllLinesAsync(file,
        [
            // Valid input (60 KB, under the 64 KiB message limit; ids are capped at 128 characters, a place name is
            // not) whose row is 180 KB: each 'é' is 2 bytes in the message and 6 on the wire (\u00e9), so the row is
            // too big for any request under the limit below.
            TransactionJson.Valid("tx-big", now, geolocation: "PLACE").Replace("PLACE", new string('é', 30_000), StringComparison.Ordinal),
            TransactionJson.Valid("tx-small-1", now),
            TransactionJson.Valid("tx-small-2", now),
        ]);
        var replayed = await Cli.RunAsync(TimeSpan.FromSeconds(90), "produce", "--bootstrap-servers", servers, "--file", file);
        Assert.True(replayed.ExitCode == 0, replayed.Output);

        // Far under BigQuery's 10 MB, so that batches are split, yet above any dead letter (its payload is cut to 16 KiB).
        StandIn.MaxRequestBytes = 150_000;
        // Longer than the start-up (tables are created before the consumer joins its group), so the first writes meet it.
        StandIn.NotFoundAfterCreate = TimeSpan.FromSeconds(15);
        StandIn.ThrottleInsertAlls(403, "quotaExceeded", 2);
        StandIn.ThrottleInsertAlls(429, "rateLimitExceeded", 2);
        StandIn.DedupWindow = TimeSpan.FromMinutes(1);
        StandIn.Latency = new LogNormalLatency(TimeSpan.FromMilliseconds(40), 0.5);
        string[] process = ["process", "--bootstrap-servers", servers, "--sink", "bigquery", "--bigquery-project", "proj",
            "--bigquery-dataset", "ds", "--bigquery-endpoint", StandIn.Endpoint.ToString(), "--bigquery-write-api", "insertall", "--until-idle", "3s", "--metrics-port", "0"];
        var run = await Cli.RunAsync(TimeSpan.FromSeconds(180), process);

        Assert.True(run.ExitCode == 0, run.Output);
        var summary = Summary().Match(run.Output);
        Assert.True(summary.Success, run.Output);
        long Field(string name) => long.Parse(summary.Groups[name].Value, CultureInfo.InvariantCulture);
        Assert.Equal(2003, Field("consumed"));
        var stored = StandIn.Rows["ds.transactions"];
        Assert.Equal(stored.Count, Field("stored"));
        Assert.Equal(2003, Field("stored") + Field("dead") + Field("dups"));
        Assert.Contains("tx-small-1", stored.Keys);
        Assert.Contains("tx-small-2", stored.Keys);
        Assert.DoesNotContain("tx-big", stored.Keys);
        Assert.Equal(stored.Count, StandIn.LiveRows("ds.transactions").Count);

        var deadLetters = StandIn.Rows["ds.dead_letters"].Values.ToList();
        Assert.Equal(deadLetters.Count, Field("dead"));
        var rejected = Assert.Single(deadLetters, d => d.GetProperty("reason").GetString() == "rejected_by_sink");
        Assert.Equal("tx-big", rejected.GetProperty("transaction_id").GetString());
        Assert.StartsWith("row too large", rejected.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(deadLetters.Count - 1 >= bad, $"{deadLetters.Count - 1} dead letters for {bad} injected bad messages");

        // What an operator sees: the waits and the split, in the log.
        foreach (var line in (string[])["BigQuery sink waiting (table_not_ready)", "BigQuery sink waiting (quota_exceeded)",
            "BigQuery sink waiting (rate_limit_exceeded)", "sending it as two halves"])
        {
            Assert.True(run.Output.Contains(line, StringComparison.Ordinal), $"no '{line}' in:\n{run.Output}");
        }

        // Committed only what was stored: a second run over the same group has nothing left.
        var again = await Cli.RunAsync(TimeSpan.FromSeconds(120), process);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains("consumed=0 ", again.Output, StringComparison.Ordinal);
        Assert.Equal(Field("stored"), StandIn.Rows["ds.transactions"].Count);
    }

    [Fact]
    public async Task A_table_deleted_mid_run_stops_the_processor_with_exit_1_naming_the_table_and_commits_nothing_after()
    {
        var (broker, servers) = await Cli.StartBrokerAsync();
        await using var _ = broker;
        var produced = await Cli.RunAsync(TimeSpan.FromSeconds(90), "produce", "--bootstrap-servers", servers, "--count", "500", "--seed", "31");
        Assert.True(produced.ExitCode == 0, produced.Output);
        StandIn.CreateTable("ds", "transactions"); // tables that exist before the processor starts
        StandIn.CreateTable("ds", "dead_letters");
        string[] process = ["process", "--bootstrap-servers", servers, "--sink", "bigquery", "--bigquery-project", "proj",
            "--bigquery-dataset", "ds", "--bigquery-endpoint", StandIn.Endpoint.ToString(), "--bigquery-write-api", "insertall", "--metrics-port", "0"];

        await using var processor = Cli.Start(process);
        await Cli.WaitUntilAsync(() => StandIn.Rows.TryGetValue("ds.transactions", out var rows) && rows.Count >= 500, processor,
            "the first 500 messages were not stored");

        StandIn.DeleteTable("ds", "transactions");
        var more = await Cli.RunAsync(TimeSpan.FromSeconds(90), "produce", "--bootstrap-servers", servers, "--count", "500", "--seed", "32");
        Assert.True(more.ExitCode == 0, more.Output);

        Assert.Equal(1, await processor.WaitForExitAsync(TimeSpan.FromSeconds(90)));
        Assert.Contains("pipeline: error: BigQuery table proj.ds.transactions is gone", processor.Output, StringComparison.Ordinal);
        Assert.False(StandIn.Tables.ContainsKey("ds.transactions")); // not re-created mid-run
        Assert.Equal(0, StandIn.Requests.Count(r => r.MethodId == "bigquery.tables.insert"));

        // Nothing after the failed batch was committed: once the table is back, a run reads the second 500 again.
        StandIn.CreateTable("ds", "transactions");
        var again = await Cli.RunAsync(TimeSpan.FromSeconds(120), [.. process, "--until-idle", "3s"]);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains("consumed=500 ", again.Output, StringComparison.Ordinal);
        Assert.Equal(500, StandIn.Rows["ds.transactions"].Count);
    }

    [GeneratedRegex(@"bad=(\d+)")]
    private static partial Regex BadCount();

    [GeneratedRegex(@"processed: consumed=(?<consumed>\d+) stored=(?<stored>\d+) dead_letters=(?<dead>\d+) duplicates=(?<dups>\d+)")]
    private static partial Regex Summary();
}
