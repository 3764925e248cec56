namespace Ecommerce.Pipeline.IntegrationTests;

/// <summary>
/// A fatal consumer error ends <c>pipeline process</c> with exit 1 and one clear stderr line. librdkafka treats
/// FENCED_INSTANCE_ID in a JoinGroup, SyncGroup or Heartbeat response as fatal for a consumer
/// (confluentinc/librdkafka src/rdkafka_cgrp.c: <c>rd_kafka_set_fatal_error(..., "Fatal consumer error: %s", ...)</c>);
/// the embedded cluster's <c>--chaos</c> answers the processor's first JoinGroup with it.
/// </summary>
[Trait("Category", "Integration")]
public sealed class FatalKafkaErrorTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_fenced_consumer_exits_1_with_one_error_line()
    {
        using var dir = new TempDir();
        await using var broker = PipelineProcess.Start(["broker", "--brokers", "1", "--partitions", "1", "--chaos", "0s:errors JoinGroup 1 FENCED_INSTANCE_ID"]);
        var first = await broker.WaitForLineAsync(l => l.StartsWith("bootstrap.servers=", StringComparison.Ordinal), Timeout);
        // The step is printed with the time it was applied, which on a loaded machine is not always 0.0s.
        await broker.WaitForLineAsync(
            l => l.StartsWith("chaos ", StringComparison.Ordinal) && l.Contains("s: errors JoinGroup", StringComparison.Ordinal),
            Timeout, stderr: true);

        await using var processor = PipelineProcess.Start(
            ["process", "--bootstrap-servers", first["bootstrap.servers=".Length..], "--duckdb", dir.File("w.duckdb"), "--metrics-port", "0"]);

        Assert.Equal(1, await processor.WaitForExitAsync(Timeout));
        var lines = processor.StderrLines;
        Assert.Equal(
            ["pipeline: error: Kafka: Fatal consumer error: Broker: Static consumer fenced by other consumer with same group.instance.id"],
            lines.Where(l => !l.Contains(" info: ", StringComparison.Ordinal)));
        Assert.Empty(processor.StdoutLines);
    }
}
