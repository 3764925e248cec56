using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Ecommerce.Pipeline.Kafka.Consuming;

namespace Ecommerce.Pipeline.TestSupport;

/// <summary>What one fault run saw. <see cref="Held"/>: the values the topic holds once the producer is done.</summary>
public sealed partial record FaultRunResult(FaultScenario Scenario, bool RunningAtEnd, int ExitCode, string ProcessorStdout, string ProcessorStderr,
    IReadOnlyList<string> ChaosLines, TimeSpan LongestCommitStall, long CommittedAtFirstFault, TimeSpan Elapsed,
    IReadOnlySet<string> Held)
{
    /// <summary>What the sink must hold: the dataset's valid ids, invalid count and dead-letter ids among the messages the topic holds.</summary>
    public (HashSet<string> ValidIds, int InvalidCount, HashSet<string> DeadLetterIds) Expected(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var valid = new HashSet<string>(StringComparer.Ordinal);
        var invalid = 0;
        var dead = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (_, value) in data.Messages)
        {
            if (!Held.Contains(value))
            {
                continue;
            }

            // Every value carries its own unique id (RUNID-0000123), readable as a field or not.
            var id = IdPattern().Match(value) is { Success: true } m ? m.Groups["id"].Value : null;
            if (id is not null && data.ValidIds.Contains(id))
            {
                valid.Add(id);
            }
            else
            {
                invalid++;
                if (id is not null && data.InvalidIds.ContainsKey(id))
                {
                    dead.Add(id);
                }
            }
        }

        return (valid, invalid, dead);
    }

    [GeneratedRegex("\"(?<id>[a-z]+-\\d{7})\"")]
    private static partial Regex IdPattern();
}

/// <summary>
/// Real processes on the embedded cluster: <c>pipeline broker --chaos SPEC</c>, the processor the caller names (no
/// <c>--until-idle</c>: it must keep running), and <c>pipeline produce</c> of the dataset at a steady rate while the
/// faults happen. Waits until the group committed every message, notes whether the processor is still running,
/// then stops it with SIGTERM. The longest time without commit progress is the recovery figure reported.
/// </summary>
public static class FaultRun
{
    public static async Task<FaultRunResult> RunAsync(FaultScenario scenario, Dataset data, string jsonLines,
        Func<string, IEnumerable<string>> processArgs, string? pipelineDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(processArgs);
        var started = Stopwatch.StartNew();
        await using var broker = PipelineProcess.Start(["broker", "--brokers", "3", "--partitions", "6", "--chaos", scenario.Chaos],
            pipelineDirectory: pipelineDirectory);
        try
        {
            var first = await broker.WaitForLineAsync(l => l.StartsWith("bootstrap.servers=", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            var servers = first["bootstrap.servers=".Length..];
            await using var processor = PipelineProcess.Start(processArgs(servers), pipelineDirectory: pipelineDirectory);
            var rate = (data.Messages.Count / scenario.ProduceFor.TotalSeconds).ToString("F0", CultureInfo.InvariantCulture);
            var producing = PipelineProcess.RunAsync(["produce", "--bootstrap-servers", servers, "--file", jsonLines, "--rate", rate],
                scenario.ProduceFor + TimeSpan.FromMinutes(3), pipelineDirectory: pipelineDirectory);

            using var reader = new ConsumerLagReader(servers, "ecommerce-pipeline");
            long total = data.Messages.Count;
            HashSet<string>? held = null;
            long committed = 0, atFirstFault = -1;
            var lastProgress = Stopwatch.GetTimestamp();
            var longestStall = TimeSpan.Zero;
            var deadline = scenario.ProduceFor + TimeSpan.FromMinutes(2);
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
            while (committed < total)
            {
                if (processor.HasExited)
                {
                    throw new InvalidOperationException($"the processor exited ({await processor.WaitForExitAsync(TimeSpan.FromSeconds(10))}) " +
                                                        $"during '{scenario.Name}'.\nstderr:\n{processor.Stderr}\nbroker:\n{broker.Stderr}");
                }

                if (producing.IsCompleted && held is null)
                {
                    var done = await producing;
                    if (done.ExitCode != 0 || !done.Stdout.Contains("failed=0", StringComparison.Ordinal))
                    {
                        throw new InvalidOperationException($"produce failed during '{scenario.Name}': {done.Stdout}\n{done.Stderr}\nbroker:\n{broker.Stderr}");
                    }

                    // The mock broker may acknowledge an idempotent producer's retried request without writing it
                    // (after injected Produce errors), so the processor is judged on what the topic holds.
                    held = TopicContents.Read(servers, "transactions_stream", TimeSpan.FromSeconds(60));
                    total = held.Count;
                }

                if (started.Elapsed > deadline)
                {
                    // The processor's summary says what it read and stored.
                    processor.Terminate();
                    await processor.WaitForExitAsync(TimeSpan.FromSeconds(90));
                    throw new TimeoutException($"'{scenario.Name}': {committed:N0} of {total:N0} committed after {started.Elapsed}.\n" +
                                               $"processor:\n{processor.Stdout}\n{processor.Stderr}\nbroker:\n{broker.Stderr}\n" +
                                               $"producer:\n{(producing.IsCompleted ? (await producing).Stdout : "still running")}");
                }

                await timer.WaitForNextTickAsync();
                long now;
                try
                {
                    now = (await reader.ReadAsync("transactions_stream", TimeSpan.FromSeconds(2), CancellationToken.None))
                        .Partitions.Sum(p => p.CommittedOffset ?? 0);
                }
                catch (Exception ex) when (ex is Confluent.Kafka.KafkaException or TimeoutException)
                {
                    continue; // the reader is a Kafka client too, and meets the same faults
                }

                if (atFirstFault < 0 && broker.StderrLines.Any(l => l.StartsWith("chaos ", StringComparison.Ordinal)))
                {
                    atFirstFault = committed;
                }

                if (now > committed)
                {
                    if (committed > 0)
                    {
                        var stall = Stopwatch.GetElapsedTime(lastProgress);
                        longestStall = stall > longestStall ? stall : longestStall;
                    }

                    committed = now;
                    lastProgress = Stopwatch.GetTimestamp();
                }
            }

            var produced = await producing;
            if (produced.ExitCode != 0 || !produced.Stdout.Contains("failed=0", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"produce failed during '{scenario.Name}': {produced.Stdout}\n{produced.Stderr}");
            }

            var running = !processor.HasExited;
            processor.Terminate();
            var exit = await processor.WaitForExitAsync(TimeSpan.FromSeconds(90));
            var chaos = broker.StderrLines.Where(l => l.StartsWith("chaos ", StringComparison.Ordinal)).ToList();
            return new FaultRunResult(scenario, running, exit, processor.Stdout, processor.Stderr, chaos, longestStall, atFirstFault, started.Elapsed,
                held ?? TopicContents.Read(servers, "transactions_stream", TimeSpan.FromSeconds(60)));
        }
        finally
        {
            if (!broker.HasExited)
            {
                broker.Interrupt();
                await broker.WaitForExitAsync(TimeSpan.FromSeconds(30));
            }
        }
    }
}
