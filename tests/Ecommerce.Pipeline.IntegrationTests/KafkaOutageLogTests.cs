using Xunit.Abstractions;

namespace Ecommerce.Pipeline.IntegrationTests;

/// <summary>
/// A cluster that stops answering for over a minute: the processor keeps running, logs the outage once, says after a
/// minute how long it has been without contact, and logs the recovery, instead of lines for every reconnect attempt.
/// </summary>
[Trait("Category", "Integration")]
public sealed class KafkaOutageLogTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_long_outage_is_a_few_lines_with_the_time_since_last_contact()
    {
        using var dir = new TempDir();
        await using var broker = PipelineProcess.Start(["broker", "--brokers", "1", "--partitions", "2", "--chaos", "15s:down 1;80s:up 1"]);
        var first = await broker.WaitForLineAsync(l => l.StartsWith("bootstrap.servers=", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        var servers = first["bootstrap.servers=".Length..];
        await using var processor = PipelineProcess.Start(
            ["process", "--bootstrap-servers", servers, "--duckdb", dir.File("w.duckdb"), "--metrics-port", "0"]);

        var summary = await processor.WaitForLineAsync(l => l.Contains("fault(s) for 1m", StringComparison.Ordinal), TimeSpan.FromSeconds(120), stderr: true);
        Assert.Contains("last contact with the cluster 1m", summary, StringComparison.Ordinal);
        await processor.WaitForLineAsync(l => l.Contains("Kafka: recovered after 1m", StringComparison.Ordinal), TimeSpan.FromSeconds(60), stderr: true);
        Assert.False(processor.HasExited, processor.Stderr);

        var lines = processor.StderrLines;
        output.WriteLine(string.Join('\n', lines));
        // Before: one refused connection was three lines, repeated on every reconnect attempt. Now the broker's
        // fault starts once and ends once, with the count of reports not logged.
        // librdkafka names the broker's connections HOST:PORT/1, HOST:PORT/bootstrap or GroupCoordinator: HOST:PORT.
        Assert.Single(lines, l => l.Contains("warn:", StringComparison.Ordinal) && l.Contains(servers, StringComparison.Ordinal)
                                  && !l.Contains("fault(s) for", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("Kafka: recovered after 1m", StringComparison.Ordinal) && l.Contains(servers, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("librdkafka FAIL", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("fault(s) for", StringComparison.Ordinal));
        Assert.True(lines.Count < 25, $"{lines.Count} lines");

        processor.Terminate();
        Assert.Equal(0, await processor.WaitForExitAsync(TimeSpan.FromSeconds(60)));
    }
}
