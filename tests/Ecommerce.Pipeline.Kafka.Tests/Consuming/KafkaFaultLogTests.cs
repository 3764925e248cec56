using Ecommerce.Pipeline.Kafka.Consuming;
using Microsoft.Extensions.Logging;

namespace Ecommerce.Pipeline.Kafka.Tests.Consuming;

/// <summary>One line per fault, whatever librdkafka repeats; the messages are the forms librdkafka 2.16 printed in the fault matrix.</summary>
public sealed class KafkaFaultLogTests
{
    [Fact]
    public void Every_report_of_one_broker_is_one_fault_and_one_line()
    {
        var logger = new ListLogger();
        var log = new KafkaFaultLog(logger, new KafkaHealth("transactions_stream"));

        log.Report("[thrd:127.0.0.1:44691/3]: 127.0.0.1:44691/3: Disconnected: connection closed by peer: receive 0 after POLLIN (after 4504ms in state UP)");
        log.Report("127.0.0.1:44691/3: Connect to ipv4#127.0.0.1:44691 failed: Connection refused (after 0ms in state CONNECT)");
        log.Report("127.0.0.1:44691/bootstrap: Connect to ipv4#127.0.0.1:44691 failed: Connection refused (after 0ms in state CONNECT)");
        log.Report("GroupCoordinator: 127.0.0.1:44691: Connect to ipv4#127.0.0.1:44691 failed: Connection refused (after 0ms in state CONNECT, 1 identical error(s) suppressed)");
        for (var i = 0; i < 1000; i++)
        {
            log.Report("127.0.0.1:44691/3: Connect to ipv4#127.0.0.1:44691 failed: Connection refused (after 0ms in state CONNECT)");
        }

        var line = Assert.Single(logger.Lines);
        Assert.StartsWith("Warning Kafka: 127.0.0.1:44691/3: Disconnected", line, StringComparison.Ordinal);
        Assert.Equal(1, log.OpenFaults);

        log.Report("127.0.0.1:42011/1: Disconnected: connection reset by peer (after 42773ms in state UP)");
        log.Report("Fetch from broker 2 failed at offset 5754 (leader epoch 0): Broker: Request timed out");
        log.Report("Fetch from broker 2 failed at offset 5799 (leader epoch 0): Broker: Request timed out");
        Assert.Equal(3, logger.Lines.Count);
        Assert.Equal(3, log.OpenFaults);
    }

    [Fact]
    public void Failed_commits_are_one_line_and_their_recovery_another()
    {
        var logger = new ListLogger();
        var log = new KafkaFaultLog(logger, new KafkaHealth("transactions_stream"));

        for (var i = 0; i < 50; i++)
        {
            log.CommitFailed("Broker: Not coordinator");
        }

        log.CommitSucceeded();
        log.CommitSucceeded();

        Assert.Collection(logger.Lines,
            l => Assert.StartsWith("Warning Offset commit failed: Broker: Not coordinator; the offsets stay pending", l, StringComparison.Ordinal),
            l => Assert.StartsWith("Information Offset commit succeeded after 50 failed attempt(s)", l, StringComparison.Ordinal));
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add($"{logLevel} {formatter(state, exception)}");
    }
}
