using System.CommandLine;
using Ecommerce.Pipeline.Cli.Hosting;
using Ecommerce.Pipeline.Kafka.Embedded;

namespace Ecommerce.Pipeline.Cli.Commands;

/// <summary><c>pipeline broker</c>: the embedded Kafka-protocol cluster, serving until SIGINT/SIGTERM.</summary>
internal static class BrokerCommand
{
    public static Command Create()
    {
        var partitions = Options.Positive("--partitions", "Partitions of each topic", 6);
        var brokers = Options.Positive("--brokers", "Brokers in the cluster", 3);
        var chaos = Options.Chaos();
        var command = new Command("broker", "Start the embedded Kafka-protocol cluster with transactions_stream and transactions_dlq")
        {
            partitions, brokers, chaos,
        };
        command.SetAction((parse, cancellationToken) => ExitCodeMapper.GuardedAsync(async () =>
        {
            using var cluster = EmbeddedKafkaCluster.Start(parse.GetValue(brokers), parse.GetValue(partitions));
            await using var faults = ChaosRunner.Start(cluster, parse.GetValue(chaos));
            // First line of stdout, flushed at once: scripts read it to find the cluster.
            Console.Out.WriteLine($"bootstrap.servers={cluster.BootstrapServers}");
            Console.Out.Flush();
            await Console.Error.WriteLineAsync(
                $"embedded cluster: {cluster.BrokerCount} brokers, topics {EmbeddedKafkaCluster.TransactionsTopic} and " +
                $"{EmbeddedKafkaCluster.DeadLetterTopic} with {parse.GetValue(partitions)} partitions; " +
                $"retains about {EmbeddedKafkaCluster.RetainedMessagesPerPartition:N0} messages per partition. Ctrl+C to stop.");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}
