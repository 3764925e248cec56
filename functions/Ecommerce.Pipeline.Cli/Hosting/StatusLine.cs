using System.Globalization;
using Ecommerce.Pipeline.Kafka.Producing;

namespace Ecommerce.Pipeline.Cli.Hosting;

/// <summary>The producer's latest progress report.</summary>
internal sealed class LatestProgress : IProgress<ProduceProgress>
{
    private ProduceProgress _latest;
    private readonly Lock _gate = new();

    public ProduceProgress Latest
    {
        get
        {
            lock (_gate)
            {
                return _latest;
            }
        }
    }

    public void Report(ProduceProgress value)
    {
        lock (_gate)
        {
            _latest = value;
        }
    }
}

/// <summary>
/// One line on stderr, refreshed every second: rate in and out, lag, p99 latency over the last second, dead letters.
/// Redrawn in place on a terminal; a plain line every 5 s when stderr is redirected. With <c>--chaos</c>, it ends
/// with the last fault applied.
/// </summary>
internal sealed class StatusLine(PipelineRuntime runtime, LatestProgress producer, Func<string?>? lastFault = null) : IDisposable
{
    private readonly bool _interactive = !Console.IsErrorRedirected;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var counters = runtime.Processor.Counters;
        long lastSent = 0, lastStored = 0;
        var window = runtime.Latency.Snapshot();
        var tick = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var sent = producer.Latest.Acknowledged;
                var stored = counters.Handled;
                var p99 = runtime.Latency.Since(window, 99);
                window = runtime.Latency.Snapshot();
                var lag = runtime.LastLag;
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"in {sent - lastSent,6:N0}/s  out {stored - lastStored,6:N0}/s  lag {(lag < 0 ? "-" : lag.ToString("N0", CultureInfo.InvariantCulture)),7}  " +
                    $"p99 {(p99 is null ? "-" : p99[0].ToString("F0", CultureInfo.InvariantCulture) + " ms"),8}  " +
                    $"stored {counters.Stored,9:N0}  dead letters {counters.DeadLetters,6:N0}") +
                    (lastFault?.Invoke() is { } fault ? $"  last fault {fault}" : string.Empty);
                lastSent = sent;
                lastStored = stored;
                if (_interactive)
                {
                    Console.Error.Write("\r" + line);
                }
                else if (tick++ % 5 == 0)
                {
                    Console.Error.WriteLine(line);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        if (_interactive)
        {
            Console.Error.WriteLine();
        }
    }

    public void Dispose()
    {
    }
}
