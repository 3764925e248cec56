using System.Diagnostics;
using System.Globalization;
using Ecommerce.Pipeline.Kafka.Consuming;
using Ecommerce.Pipeline.Metrics.Tests.Support;
using Xunit.Abstractions;

namespace Ecommerce.Pipeline.Metrics.Tests;

/// <summary>
/// The only broker of the embedded cluster is down for 30 s, longer than a synchronous offset commit waits for an
/// unreachable coordinator (about 11 s) and than the session timeout (10 s, so the assignment is lost), while a real
/// <c>pipeline process</c> is behind the producer. Its /metrics must show the time without a leader and without fetch
/// progress growing all through the outage, back to about 0 once the broker is back, and every message stored once.
/// </summary>
[Trait("Category", "Integration")]
public sealed class KafkaOutageGaugesTests(ITestOutputHelper output)
{
    private const string Chaos = "20s:down 1;50s:up 1";
    private const int Messages = 10_000;

    private const string WithoutLeader = "pipeline_kafka_seconds_without_leader";
    private const string WithoutFetchProgress = "pipeline_kafka_seconds_without_fetch_progress";
    private const string SinceContact = "pipeline_kafka_seconds_since_contact";

    // The gauges are refreshed once a second from the processor's counters, which compute them when read.
    private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan BetweenScrapes = TimeSpan.FromSeconds(12);

    [Fact]
    public async Task The_time_without_a_leader_and_without_fetch_progress_grows_through_a_full_outage_and_resets_after()
    {
        using var dir = new TempDir();
        var data = Dataset.Create(Messages, 0.02, "outage");
        var db = dir.File("w.duckdb");
        await using var broker = PipelineProcess.Start(["broker", "--brokers", "1", "--partitions", "2", "--chaos", Chaos]);
        var first = await broker.WaitForLineAsync(l => l.StartsWith("bootstrap.servers=", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        var servers = first["bootstrap.servers=".Length..];
        var port = ExternalTool.FreePort();
        await using var processor = PipelineProcess.Start(
            ["process", "--bootstrap-servers", servers, "--duckdb", db, "--metrics-port", port.ToString(CultureInfo.InvariantCulture)]);
        // 250 messages a second for 40 s: the processor has lag when the broker goes down, and more arrives after.
        var producing = PipelineProcess.RunAsync(
            ["produce", "--bootstrap-servers", servers, "--file", data.WriteJsonLines(dir.File("in.jsonl")), "--rate", "250"],
            TimeSpan.FromMinutes(3));

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var seen = new List<string>();
        string Diagnostics() => $"\nscrapes:\n{string.Join('\n', seen)}\nprocessor:\n{processor.Stderr}\nbroker:\n{broker.Stderr}";

        async Task<(Dictionary<string, double> Samples, long At)> ScrapeUntilAsync(Func<Dictionary<string, double>, long, bool> condition,
            string what, TimeSpan timeout)
        {
            (Dictionary<string, double>, long) last = default;
            await Poll.UntilAsync(async () =>
            {
                Dictionary<string, double> samples;
                try
                {
                    samples = Exposition.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics")));
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    return false; // not up yet; a scrape that times out during the outage fails the deadline instead
                }

                var at = Stopwatch.GetTimestamp();
                last = (samples, at);
                seen.Add(DateTime.UtcNow.ToString("HH:mm:ss.fff ", CultureInfo.InvariantCulture) + string.Join(' ',
                    new[] { WithoutLeader, WithoutFetchProgress, SinceContact }
                        .Select(n => $"{n}={(samples.TryGetValue(n, out var v) ? v.ToString("F1", CultureInfo.InvariantCulture) : "-")}")));
                return condition(samples, at);
            }, timeout, what, Diagnostics);
            return last;
        }

        // The outage is seen: no leader for the partitions, no fetch progress although there is lag.
        var (before, beforeAt) = await ScrapeUntilAsync((s, _) => s.GetValueOrDefault(WithoutLeader) >= 2 && s.GetValueOrDefault(WithoutFetchProgress) >= 2,
            $"{WithoutLeader} >= 2 and {WithoutFetchProgress} >= 2 once the broker is down", TimeSpan.FromSeconds(60));

        // Twelve seconds later (past the session timeout, so the assignment is lost meanwhile), still during the outage.
        var (after, afterAt) = await ScrapeUntilAsync((_, at) => Stopwatch.GetElapsedTime(beforeAt, at) >= BetweenScrapes,
            $"a scrape {BetweenScrapes.TotalSeconds}s after the first", TimeSpan.FromSeconds(30));
        var between = Stopwatch.GetElapsedTime(beforeAt, afterAt).TotalSeconds;
        Assert.False(broker.StderrLines.Any(l => l.Contains(": up 1", StringComparison.Ordinal)), "the broker came back before the second scrape" + Diagnostics());
        foreach (var gauge in new[] { WithoutLeader, WithoutFetchProgress, SinceContact })
        {
            var grew = after[gauge] - before[gauge];
            Assert.True(grew > 0 && grew >= between - Tolerance.TotalSeconds,
                $"{gauge} grew by {grew:F1}s in {between:F1}s of outage ({before[gauge]:F1} -> {after[gauge]:F1}){Diagnostics()}");
        }

        // The broker is back: the gauges fall back; the time until they do is the recovery figure.
        await broker.WaitForLineAsync(l => l.Contains(": up 1", StringComparison.Ordinal), TimeSpan.FromSeconds(60), stderr: true);
        var upAt = Stopwatch.GetTimestamp();
        await ScrapeUntilAsync((s, _) => s.GetValueOrDefault(WithoutLeader, double.MaxValue) == 0
                                         && s.GetValueOrDefault(WithoutFetchProgress, double.MaxValue) < 3
                                         && s.GetValueOrDefault(SinceContact, double.MaxValue) < 3,
            $"{WithoutLeader} == 0, {WithoutFetchProgress} < 3 and {SinceContact} < 3 after the broker is back", TimeSpan.FromSeconds(60));
        var gaugesReset = Stopwatch.GetElapsedTime(upAt);

        var produced = await producing;
        Assert.True(produced.ExitCode == 0 && produced.Stdout.Contains("failed=0", StringComparison.Ordinal), produced.Stdout + produced.Stderr);
        using var lag = new ConsumerLagReader(servers, "ecommerce-pipeline");
        long committed = 0;
        await Poll.UntilAsync(async () =>
        {
            try
            {
                committed = (await lag.ReadAsync("transactions_stream", TimeSpan.FromSeconds(2), CancellationToken.None))
                    .Partitions.Sum(p => p.CommittedOffset ?? 0);
            }
            catch (Exception ex) when (ex is Confluent.Kafka.KafkaException or TimeoutException)
            {
                return false;
            }

            return committed >= Messages;
        }, TimeSpan.FromSeconds(90), "every message committed", () => $"{committed} committed{Diagnostics()}");
        var allCommitted = Stopwatch.GetElapsedTime(upAt);
        Assert.False(processor.HasExited, Diagnostics());
        output.WriteLine($"gauges back {gaugesReset.TotalSeconds:F1}s and all {Messages:N0} committed {allCommitted.TotalSeconds:F1}s after the broker came back");
        output.WriteLine(string.Join('\n', seen));

        processor.Terminate();
        Assert.Equal(0, await processor.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        output.WriteLine(processor.Stderr);

        Assert.Equal(data.ValidIds.Count, await ScalarAsync(db, "SELECT count(*) FROM transactions"));
        var (code, ids, error) = await PipelineProcess.RunAsync(
            ["query", "--duckdb", db, "--format", "csv", "SELECT transaction_id FROM transactions"], TimeSpan.FromSeconds(60));
        Assert.True(code == 0, error);
        Assert.True(data.ValidIds.SetEquals(ids.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)), "stored ids differ from the valid ids");
        Assert.Equal(data.InvalidCount, await ScalarAsync(db, "SELECT count(*) FROM dead_letters"));
        Assert.Equal(data.InvalidCount, await ScalarAsync(db,
            "SELECT count(*) FROM (SELECT DISTINCT kafka_topic, kafka_partition, kafka_offset FROM dead_letters)"));
    }

    private static async Task<long> ScalarAsync(string db, string sql)
    {
        var (code, stdout, stderr) = await PipelineProcess.RunAsync(["query", "--duckdb", db, "--format", "csv", sql], TimeSpan.FromSeconds(60));
        Assert.True(code == 0, stderr);
        return long.Parse(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
}
