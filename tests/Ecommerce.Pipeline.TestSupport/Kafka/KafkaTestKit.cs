using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Ecommerce.Pipeline.Kafka;

namespace Ecommerce.Pipeline.TestSupport;

/// <summary>A message read back from a topic, with raw bytes and UTF-8 views.</summary>
public sealed record ConsumedMessage(
    string Topic,
    int Partition,
    long Offset,
    byte[]? KeyBytes,
    byte[]? ValueBytes,
    IReadOnlyList<KeyValuePair<string, byte[]>> Headers,
    DateTime TimestampUtc)
{
    public string? Key => KeyBytes is null ? null : Encoding.UTF8.GetString(KeyBytes);
    public string? Value => ValueBytes is null ? null : Encoding.UTF8.GetString(ValueBytes);

    /// <summary>The last header with this name as UTF-8 text, or null.</summary>
    public string? Header(string name)
    {
        for (var i = Headers.Count - 1; i >= 0; i--)
        {
            if (Headers[i].Key == name)
            {
                return Encoding.UTF8.GetString(Headers[i].Value);
            }
        }

        return null;
    }
}

/// <summary>Helpers for tests against a Kafka-protocol broker (usually an <c>EmbeddedKafkaCluster</c>).</summary>
public static class KafkaTestKit
{
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(30);

    private static readonly ManualResetEventSlim PollInterval = new(false);

    /// <summary>
    /// Reads every message of <paramref name="topic"/> from the log start up to the end offsets as they are when
    /// called, without joining a group and without committing. Throws <see cref="TimeoutException"/> with progress
    /// when the deadline passes first. Ordered by partition, then offset.
    /// </summary>
    public static IReadOnlyList<ConsumedMessage> ConsumeAll(string bootstrapServers, string topic, TimeSpan? deadline = null)
    {
        var until = DateTime.UtcNow + (deadline ?? DefaultDeadline);
        using var consumer = NewReader(bootstrapServers);
        var partitions = Partitions(bootstrapServers, topic);

        var remaining = new Dictionary<int, long>();
        var start = new List<TopicPartitionOffset>();
        foreach (var p in partitions)
        {
            var tp = new TopicPartition(topic, p);
            var marks = consumer.QueryWatermarkOffsets(tp, Remaining(until));
            if (marks.High.Value > marks.Low.Value)
            {
                remaining[p] = marks.High.Value;
                start.Add(new TopicPartitionOffset(tp, marks.Low));
            }
        }

        var result = new List<ConsumedMessage>();
        if (remaining.Count == 0)
        {
            return result;
        }

        consumer.Assign(start);
        while (remaining.Count > 0)
        {
            if (DateTime.UtcNow >= until)
            {
                throw new TimeoutException(
                    $"Read {result.Count} message(s) of {topic}; partitions not at their end: {string.Join(", ", remaining.Keys)}.");
            }

            var cr = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (cr is null || cr.IsPartitionEOF)
            {
                continue;
            }

            if (!remaining.TryGetValue(cr.Partition.Value, out var end) || cr.Offset.Value >= end)
            {
                continue;
            }

            result.Add(ToMessage(cr));
            if (cr.Offset.Value + 1 >= end)
            {
                remaining.Remove(cr.Partition.Value);
            }
        }

        return [.. result.OrderBy(m => m.Partition).ThenBy(m => m.Offset)];
    }

    /// <summary>
    /// Reads <paramref name="topic"/> from the beginning until at least <paramref name="count"/> messages arrived
    /// (for topics still being written). Throws <see cref="TimeoutException"/> when the deadline passes first.
    /// </summary>
    public static IReadOnlyList<ConsumedMessage> ConsumeAtLeast(string bootstrapServers, string topic, int count, TimeSpan? deadline = null)
    {
        var until = DateTime.UtcNow + (deadline ?? DefaultDeadline);
        using var consumer = NewReader(bootstrapServers);
        consumer.Assign(Partitions(bootstrapServers, topic)
            .Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var result = new List<ConsumedMessage>();
        while (result.Count < count)
        {
            if (DateTime.UtcNow >= until)
            {
                throw new TimeoutException($"Only {result.Count} of {count} message(s) arrived on {topic}.");
            }

            var cr = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (cr is not null && !cr.IsPartitionEOF)
            {
                result.Add(ToMessage(cr));
            }
        }

        return result;
    }

    /// <summary>Produces keyed UTF-8 messages and waits until all are acknowledged; returns their offsets.</summary>
    public static IReadOnlyList<TopicPartitionOffset> Produce(
        string bootstrapServers, string topic, IEnumerable<(string? Key, string Value)> messages)
    {
        using var producer = new ProducerBuilder<string?, string>(KafkaClientConfig.Producer(bootstrapServers, "test-kit")).Build();
        var reports = new List<DeliveryReport<string?, string>>();
        var sync = new Lock();
        foreach (var (key, value) in messages)
        {
            producer.Produce(topic, new Message<string?, string> { Key = key, Value = value }, r =>
            {
                lock (sync)
                {
                    reports.Add(r);
                }
            });
        }

        producer.Flush(DefaultDeadline);
        lock (sync)
        {
            var failed = reports.FirstOrDefault(r => r.Error.IsError);
            if (failed is not null)
            {
                throw new InvalidOperationException($"Delivery failed: {failed.Error}");
            }

            return [.. reports.Select(r => r.TopicPartitionOffset)];
        }
    }

    /// <summary>The partition ids of a topic, from broker metadata.</summary>
    public static IReadOnlyList<int> Partitions(string bootstrapServers, string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        var meta = admin.GetMetadata(topic, TimeSpan.FromSeconds(10));
        var t = meta.Topics.Single(x => x.Topic == topic);
        if (t.Error.IsError)
        {
            throw new InvalidOperationException($"Metadata for {topic}: {t.Error}");
        }

        return [.. t.Partitions.Select(p => p.PartitionId).Order()];
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; throws <see cref="TimeoutException"/> otherwise.</summary>
    public static void WaitUntil(Func<bool> condition, TimeSpan timeout, string what)
    {
        var until = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow >= until)
            {
                throw new TimeoutException($"Timed out waiting for: {what}");
            }

            // Poll interval: an event nobody sets, so the wait is bounded and the condition decides.
            PollInterval.Wait(TimeSpan.FromMilliseconds(20));
        }
    }

    /// <summary>Runs a program to completion; returns exit code, stdout and stderr. Kills it at the deadline.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string file, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }

        process.StandardInput.Close();
        if (!process.WaitForExit(timeout ?? DefaultDeadline))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', psi.ArgumentList)} did not exit in time. stderr: {stderr.Result}");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Full path of a program on PATH, or null.</summary>
    public static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);

    private static IConsumer<byte[]?, byte[]?> NewReader(string bootstrapServers)
    {
        var config = KafkaClientConfig.Consumer(bootstrapServers, $"test-reader-{Guid.NewGuid():N}", "test-reader");
        config.EnablePartitionEof = true;
        return new ConsumerBuilder<byte[]?, byte[]?>(config).Build();
    }

    private static TimeSpan Remaining(DateTime until)
    {
        var left = until - DateTime.UtcNow;
        return left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1);
    }

    private static ConsumedMessage ToMessage(ConsumeResult<byte[]?, byte[]?> cr) =>
        new(
            cr.Topic,
            cr.Partition.Value,
            cr.Offset.Value,
            cr.Message.Key,
            cr.Message.Value,
            cr.Message.Headers is null ? [] : [.. cr.Message.Headers.Select(h => KeyValuePair.Create(h.Key, h.GetValueBytes()))],
            cr.Message.Timestamp.UtcDateTime);
}
