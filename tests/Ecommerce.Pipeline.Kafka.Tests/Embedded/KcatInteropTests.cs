using Ecommerce.Pipeline.Kafka.Embedded;

namespace Ecommerce.Pipeline.Kafka.Tests.Embedded;

/// <summary>
/// kcat is an independent client (Debian's build, its own librdkafka in its own process), so these prove the
/// embedded cluster speaks the wire protocol rather than some in-process shortcut. Missing kcat is a failure:
/// install it with <c>apt-get install -y kcat</c>.
/// </summary>
[Trait("Category", "Integration")]
public sealed class KcatInteropTests
{
    [Fact]
    public void Kcat_produces_keyed_lines_and_reads_them_back_and_so_does_Confluent()
    {
        var kcat = RequireKcat();
        using var cluster = EmbeddedKafkaCluster.StartEmpty(brokers: 3);
        cluster.CreateTopic("kcat-in", partitions: 3, replicationFactor: 3);
        var lines = Enumerable.Range(0, 30).Select(i => $"key-{i % 7}:value-{i}").ToList();

        var produce = KafkaTestKit.Run(kcat, ["-P", "-b", cluster.BootstrapServers, "-t", "kcat-in", "-K:"], string.Join('\n', lines) + "\n");
        Assert.True(produce.ExitCode == 0, $"kcat -P exited {produce.ExitCode}: {produce.Stderr}");

        var consume = KafkaTestKit.Run(kcat, ["-C", "-b", cluster.BootstrapServers, "-t", "kcat-in", "-e", "-o", "beginning", "-f", "%k:%s\n"]);
        Assert.True(consume.ExitCode == 0, $"kcat -C exited {consume.ExitCode}: {consume.Stderr}");
        Assert.Equal(
            lines.Order(StringComparer.Ordinal),
            consume.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));

        var viaConfluent = KafkaTestKit.ConsumeAll(cluster.BootstrapServers, "kcat-in");
        Assert.Equal(
            lines.Order(StringComparer.Ordinal),
            viaConfluent.Select(m => $"{m.Key}:{m.Value}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Kcat_reads_what_Confluent_produced()
    {
        var kcat = RequireKcat();
        using var cluster = EmbeddedKafkaCluster.Start(brokers: 3, partitions: 6);
        var sent = Enumerable.Range(0, 50).Select(i => ((string?)$"u{i % 9}", $"{{\"i\":{i}}}")).ToList();
        KafkaTestKit.Produce(cluster.BootstrapServers, EmbeddedKafkaCluster.TransactionsTopic, sent);

        var consume = KafkaTestKit.Run(kcat,
            ["-C", "-b", cluster.BootstrapServers, "-t", EmbeddedKafkaCluster.TransactionsTopic, "-e", "-o", "beginning", "-f", "%p %k %s\n"]);
        Assert.True(consume.ExitCode == 0, $"kcat -C exited {consume.ExitCode}: {consume.Stderr}");

        var rows = consume.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', 3)).ToList();
        Assert.Equal(
            sent.Select(m => $"{m.Item1} {m.Item2}").Order(StringComparer.Ordinal),
            rows.Select(r => $"{r[1]} {r[2]}").Order(StringComparer.Ordinal));
        Assert.All(rows.GroupBy(r => r[1]), g => Assert.Single(g.Select(r => r[0]).Distinct()));
    }

    private static string RequireKcat() =>
        KafkaTestKit.FindOnPath("kcat") ?? KafkaTestKit.FindOnPath("kafkacat")
        ?? throw new InvalidOperationException("kcat is not installed (apt-get update && apt-get install -y kcat); this interop test needs it.");
}
