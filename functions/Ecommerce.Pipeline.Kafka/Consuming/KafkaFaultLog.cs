using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Ecommerce.Pipeline.Kafka.Consuming;

/// <summary>
/// Logs each Kafka fault once, not once per librdkafka retry. librdkafka reports one refused connection up to three
/// times (its own log line, the error callback, a consume error) and again on every reconnect attempt, for each of
/// its connections to that broker; here they become one fault per broker (or per error, when no broker is named), logged when it starts and when it ends.
/// While a fault lasts over a minute a summary with the time since the last contact is logged, at most once a minute.
/// Thread-safe: librdkafka's log callback may run on its own threads.
/// </summary>
internal sealed partial class KafkaFaultLog(ILogger logger, KafkaHealth health)
{
    private static readonly TimeSpan SummaryEvery = TimeSpan.FromMinutes(1);

    // A fault not tied to a broker ends once the cluster answered and it was not reported for this long.
    private static readonly TimeSpan QuietFor = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan StatisticsAge = TimeSpan.FromSeconds(1.5);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Fault> _open = new(StringComparer.Ordinal);
    private long _lastSummary;
    private int _commitFailures;
    private long _commitFailingSince;

    /// <summary>Faults reported and not yet over.</summary>
    public int OpenFaults
    {
        get
        {
            lock (_gate)
            {
                return _open.Count;
            }
        }
    }

    /// <summary>A client error or a librdkafka warning: logged if it starts a fault, counted otherwise.</summary>
    public void Report(string what)
    {
        what = ThreadPrefix().Replace(what, string.Empty);
        var broker = BrokerPrefix().Match(what) is { Success: true } m ? m.Groups["broker"].Value : null;
        var key = broker ?? Normalise(what);
        var now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            if (_open.TryGetValue(key, out var fault))
            {
                fault.Repeats++;
                fault.LastSeen = now;
                return;
            }

            _open[key] = new Fault(what, broker, now);
        }

        FaultStarted(logger, what);
    }

    /// <summary>A commit failed; its offsets stay pending and are committed by a later attempt.</summary>
    public void CommitFailed(string reason)
    {
        if (Interlocked.Increment(ref _commitFailures) == 1)
        {
            Interlocked.Exchange(ref _commitFailingSince, Stopwatch.GetTimestamp());
            CommitFailing(logger, reason);
        }
    }

    public void CommitSucceeded()
    {
        var failures = Interlocked.Exchange(ref _commitFailures, 0);
        if (failures > 0 && logger.IsEnabled(LogLevel.Information))
        {
            var duration = Format(Stopwatch.GetElapsedTime(Interlocked.Read(ref _commitFailingSince)));
            CommitRecovered(logger, failures, duration);
        }
    }

    /// <summary>Called by the consume loop: ends faults that are over and writes the once-a-minute summary.</summary>
    public void Tick()
    {
        var now = Stopwatch.GetTimestamp();
        List<Fault>? ended = null;
        List<Fault>? lasting = null;
        lock (_gate)
        {
            if (_open.Count == 0)
            {
                return;
            }

            var up = health.Up;
            var contact = health.LastContact;
            foreach (var (key, fault) in _open.ToList())
            {
                // Statistics a second old may still show the broker UP, so only later ones count.
                var over = fault.Broker is { } broker
                    ? up.Contains(broker) && Stopwatch.GetElapsedTime(fault.LastSeen, health.UpdatedAt) > StatisticsAge
                    : contact > fault.LastSeen && Stopwatch.GetElapsedTime(fault.LastSeen, now) >= QuietFor;
                if (over)
                {
                    _open.Remove(key);
                    (ended ??= []).Add(fault);
                }
                else if (Stopwatch.GetElapsedTime(fault.Since, now) >= SummaryEvery)
                {
                    (lasting ??= []).Add(fault);
                }
            }

            if (lasting is not null && (_lastSummary == 0 || Stopwatch.GetElapsedTime(_lastSummary, now) >= SummaryEvery))
            {
                _lastSummary = now;
            }
            else
            {
                lasting = null;
            }

            if (_open.Count == 0)
            {
                _lastSummary = 0;
            }
        }

        foreach (var fault in logger.IsEnabled(LogLevel.Information) ? ended ?? [] : [])
        {
            var duration = Format(Stopwatch.GetElapsedTime(fault.Since, now));
            FaultEnded(logger, duration, fault.What, fault.Repeats);
        }

        if (lasting is not null && logger.IsEnabled(LogLevel.Warning))
        {
            var sinceContact = Stopwatch.GetElapsedTime(health.LastContact, now);
            var lastContactAt = DateTimeOffset.UtcNow - sinceContact;
            var behind = health.Behind;
            Unreachable(logger, lasting.Count, Format(Stopwatch.GetElapsedTime(lasting.Min(f => f.Since), now)), Format(sinceContact),
                lastContactAt.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
                string.Join("; ", lasting.Select(f => f.What)), behind.Length == 0 ? "none" : behind);
        }
    }

    /// <summary>1m05s, 12.3s.</summary>
    internal static string Format(TimeSpan span) => span.TotalSeconds < 60
        ? span.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s"
        : string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes}m{span.Seconds:D2}s");

    // Numbers (ports, timings, counts) vary between repeats of one fault.
    private static string Normalise(string what) => Digits().Replace(what, "#");

    // librdkafka names a broker connection HOST:PORT/ID, HOST:PORT/bootstrap or, for the group coordinator's own
    // connection, "GroupCoordinator: HOST:PORT": all the same broker, so one fault.
    [GeneratedRegex(@"^(?:GroupCoordinator: )?(?<broker>[^\s/]+:\d+)(?:/\w+)?: ")]
    private static partial Regex BrokerPrefix();

    // librdkafka's log lines start with the thread that wrote them: [thrd:127.0.0.1:9092/2]: ...
    [GeneratedRegex(@"^\[thrd:[^\]]*\]: ")]
    private static partial Regex ThreadPrefix();

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Kafka: {What} — librdkafka keeps retrying; the processor keeps its place and commits only what is stored (repeats are not logged)")]
    private static partial void FaultStarted(ILogger logger, string what);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "Kafka: recovered after {Duration}: {What} ({Repeats} repeat(s) not logged)")]
    private static partial void FaultEnded(ILogger logger, string duration, string what, int repeats);

    [LoggerMessage(EventId = 22, Level = LogLevel.Warning, Message = "Kafka: {Count} fault(s) for {Duration}; last contact with the cluster {SinceContact} ago (at {LastContact} UTC); still retrying, nothing is committed that is not stored: {What}; partitions with lag: {Behind}")]
    private static partial void Unreachable(ILogger logger, int count, string duration, string sinceContact, string lastContact, string what, string behind);

    [LoggerMessage(EventId = 23, Level = LogLevel.Warning, Message = "Offset commit failed: {Reason}; the offsets stay pending and are committed by the next attempt")]
    private static partial void CommitFailing(ILogger logger, string reason);

    [LoggerMessage(EventId = 24, Level = LogLevel.Information, Message = "Offset commit succeeded after {Failures} failed attempt(s) over {Duration}")]
    private static partial void CommitRecovered(ILogger logger, int failures, string duration);

    private sealed class Fault(string what, string? broker, long since)
    {
        public string What { get; } = what;
        public string? Broker { get; } = broker;
        public long Since { get; } = since;
        public long LastSeen { get; set; } = since;
        public int Repeats { get; set; }
    }
}
