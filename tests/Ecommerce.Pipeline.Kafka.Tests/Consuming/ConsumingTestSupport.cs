using Xunit.Abstractions;
using Confluent.Kafka;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.Kafka.Consuming;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ecommerce.Pipeline.Kafka.Tests.Consuming;

internal static class ConsumingKit
{
    public static readonly TimeSpan RunDeadline = TimeSpan.FromSeconds(90);

    /// <summary>Valid transaction messages t{first}..t{first+count-1}, keyed by user id.</summary>
    public static IEnumerable<(string? Key, string Value)> Transactions(int count, int first = 0, string prefix = "t")
    {
        var now = DateTimeOffset.UtcNow;
        for (var i = first; i < first + count; i++)
        {
            var user = $"u{i % 37}";
            yield return (user, TransactionJson.Valid($"{prefix}{i}", now, price: "12.5", user: user, currency: null,
                geolocation: null, product: $"p{i % 11}"));
        }
    }

    public static IEnumerable<string> Ids(int count, int first = 0, string prefix = "t") =>
        Enumerable.Range(first, count).Select(i => $"{prefix}{i}");

    public static StreamProcessorOptions Options(string bootstrapServers, string group) => new()
    {
        BootstrapServers = bootstrapServers,
        GroupId = group,
        MaxBatchRecords = 100,
        MaxBatchWait = TimeSpan.FromMilliseconds(50),
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        RetryMaxDelay = TimeSpan.FromMilliseconds(200),
        ShutdownTimeout = TimeSpan.FromSeconds(5),
        UntilIdle = TimeSpan.FromSeconds(2),
        // Faster group convergence on the embedded broker when a member leaves without Close.
        ConsumerSettings = new Dictionary<string, string> { ["session.timeout.ms"] = "6000", ["heartbeat.interval.ms"] = "500" },
    };

    public static StreamProcessor Processor(StreamProcessorOptions options, ITransactionSink sink,
        IPipelineMetrics? metrics = null, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        metrics ??= NullPipelineMetrics.Instance;
        var handler = new TransactionBatchHandler(new BatchProcessor(), sink, new MemoryDeadLetterPublisher(), metrics,
            TimeProvider.System);
        return logger is null
            ? new StreamProcessor(options, handler, NullLogger<StreamProcessor>.Instance, metrics)
            : new StreamProcessor(options, new TransactionBatchStep(handler), sink.Name, logger, metrics,
                sink as IPartitionAwareSink);
    }

    /// <summary>The group's committed offset per partition (null when none), read with a plain client.</summary>
    public static Dictionary<int, long?> Committed(string bootstrapServers, string group, string topic, IReadOnlyList<int> partitions)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = group,
            EnableAutoCommit = false,
        }).Build();
        return consumer.Committed(partitions.Select(p => new TopicPartition(topic, p)), TimeSpan.FromSeconds(10))
            .ToDictionary(c => c.Partition.Value, c => c.Offset.IsSpecial ? (long?)null : c.Offset.Value);
    }

    /// <summary>The high watermark (end offset) per partition.</summary>
    public static Dictionary<int, long> EndOffsets(string bootstrapServers, string topic, IReadOnlyList<int> partitions)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "end-offsets-reader",
        }).Build();
        return partitions.ToDictionary(p => p,
            p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value);
    }
}

/// <summary>Writes log lines (with elapsed time) to the xunit test output, for diagnosing a failed run.</summary>
internal sealed class TestOutputLogger(ITestOutputHelper output, string name) : Microsoft.Extensions.Logging.ILogger
{
    private static readonly System.Diagnostics.Stopwatch Clock = System.Diagnostics.Stopwatch.StartNew();

    private readonly HashSet<int> _lost = [];

    /// <summary>Partitions the processor reported lost (its "Partitions lost" event): released with nothing committed, by design.</summary>
    public IReadOnlySet<int> LostPartitions
    {
        get
        {
            lock (_lost)
            {
                return _lost.ToHashSet();
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= Microsoft.Extensions.Logging.LogLevel.Information;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId,
        TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventId.Name == "Lost" && state is IEnumerable<KeyValuePair<string, object?>> fields
            && fields.FirstOrDefault(f => f.Key == "Partitions").Value is IEnumerable<int> lost)
        {
            lock (_lost)
            {
                _lost.UnionWith(lost);
            }
        }

        if (!IsEnabled(logLevel))
        {
            return;
        }

        try
        {
            output.WriteLine($"{Clock.Elapsed.TotalSeconds,8:F3} {name} {logLevel}: {formatter(state, exception)} {exception?.Message}");
        }
        catch (InvalidOperationException)
        {
            // The test already finished.
        }
    }
}
