using System.Globalization;
using Ecommerce.Pipeline.Metrics.Tests.Support;
using Xunit.Abstractions;

namespace Ecommerce.Pipeline.Metrics.Tests;

/// <summary>
/// The pipeline_kafka_* metrics of docs/contract.md as a real <c>pipeline process</c> serves them on /metrics while
/// the embedded cluster (one broker, <c>--chaos</c>) fails its offset commits and then goes down and comes back.
/// </summary>
[Trait("Category", "Integration")]
public sealed class KafkaHealthMetricsTests(ITestOutputHelper output)
{
    // The OffsetCommit errors wait in the mock broker for the next commits, whenever the processor makes them; the
    // only broker is down from 16 s to 28 s of the cluster's life, after the processor has joined and committed.
    private const string Chaos = "5s:errors OffsetCommit 3 REBALANCE_IN_PROGRESS;16s:down 1;28s:up 1";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(45);

    private const string CommitFailures = "pipeline_kafka_commit_failures_total";
    private const string Rebalances = "pipeline_kafka_rebalances_total";
    private const string WithoutLeader = "pipeline_kafka_seconds_without_leader";
    private const string WithoutFetchProgress = "pipeline_kafka_seconds_without_fetch_progress";
    private const string SinceContact = "pipeline_kafka_seconds_since_contact";

    [Fact]
    public async Task Commit_failures_rebalances_and_the_time_without_the_cluster_are_on_the_wire()
    {
        using var dir = new TempDir();
        await using var broker = PipelineProcess.Start(["broker", "--brokers", "1", "--partitions", "2", "--chaos", Chaos]);
        var first = await broker.WaitForLineAsync(l => l.StartsWith("bootstrap.servers=", StringComparison.Ordinal), Timeout);
        var servers = first["bootstrap.servers=".Length..];
        var port = ExternalTool.FreePort();
        await using var processor = PipelineProcess.Start(
            ["process", "--bootstrap-servers", servers, "--duckdb", dir.File("w.duckdb"), "--metrics-port", port.ToString(CultureInfo.InvariantCulture)]);
        var producing = PipelineProcess.RunAsync(["produce", "--bootstrap-servers", servers, "--rate", "200", "--duration", "30s"], TimeSpan.FromSeconds(90));

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var seen = new List<string>();
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        string Diagnostics() => $"\nscrapes:\n{string.Join('\n', seen.Where((_, i) => i % 4 == 0))}\nprocessor:\n{processor.Stderr}\nbroker:\n{broker.Stderr}";

        async Task UntilAsync(Func<Dictionary<string, double>, bool> condition, string what) =>
            await Poll.UntilAsync(async () =>
            {
                try
                {
                    samples = Exposition.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics")));
                }
                catch (HttpRequestException)
                {
                    return false; // the endpoint is not up yet
                }

                seen.Add(DateTime.UtcNow.ToString("HH:mm:ss.fff ", CultureInfo.InvariantCulture) + string.Join(' ', new[] { CommitFailures, Rebalances, WithoutLeader, WithoutFetchProgress, SinceContact }
                    .Select(n => $"{n}={(samples.TryGetValue(n, out var v) ? v.ToString(CultureInfo.InvariantCulture) : "-")}")));
                return condition(samples);
            }, Timeout, what, Diagnostics);

        // The processor joined (an assignment is a rebalance of this member) and failed some commits.
        await UntilAsync(s => s.GetValueOrDefault(Rebalances) >= 1 && s.GetValueOrDefault(CommitFailures) > 0,
            $"{Rebalances} >= 1 and {CommitFailures} > 0");
        var failures = samples[CommitFailures];

        // The only broker is down: the time since contact grows past the statistics interval, bounded by the outage.
        // (How seconds_without_leader and seconds_without_fetch_progress grow through an outage is
        // KafkaOutageGaugesTests' subject; here they are only checked to be sane.)
        await UntilAsync(s => s.GetValueOrDefault(SinceContact) >= 6, $"{SinceContact} >= 6 while the broker is down");
        Assert.True(samples[SinceContact] < 20, Diagnostics()); // the outage (12 s) plus one refresh
        Assert.InRange(samples[WithoutLeader], 0, 20);
        Assert.InRange(samples[WithoutFetchProgress], 0, 60);

        // Back up: contact and leaders return, the gauges fall back to about 0, and the counter never went down.
        await UntilAsync(s => s.GetValueOrDefault(SinceContact, double.MaxValue) < 3 && s.GetValueOrDefault(WithoutLeader, double.MaxValue) == 0,
            $"{SinceContact} < 3 and {WithoutLeader} == 0 after the broker is back");
        Assert.True(samples[CommitFailures] >= failures, Diagnostics());
        Assert.False(processor.HasExited, Diagnostics());
        output.WriteLine(string.Join('\n', seen));

        processor.Terminate();
        Assert.Equal(0, await processor.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var produced = await producing;
        output.WriteLine(produced.Stdout);
    }
}
