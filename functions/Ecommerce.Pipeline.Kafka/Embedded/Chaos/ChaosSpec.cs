using System.Globalization;
using System.Text.RegularExpressions;
using Ecommerce.Pipeline.Core.Configuration;

namespace Ecommerce.Pipeline.Kafka.Embedded.Chaos;

/// <summary>A SPEC that cannot be parsed or does not fit the cluster; the message names the step.</summary>
public sealed class ChaosSpecException(string message) : FormatException(message);

/// <summary>
/// The <c>--chaos</c> SPEC: <c>AT:ACTION</c> steps separated by <c>;</c>, AT a duration since the cluster started
/// (<c>10s</c>, <c>1m30s</c>, <c>250ms</c>), or <c>random:SEED[:RATE[:FOR]]</c>, a reproducible random mix of at most
/// RATE faults a minute, for the first FOR of the cluster's life or endless (<see cref="ChaosRandom"/>). Pure: error names are looked up through the function given to
/// <see cref="Parse(string, Func{string, int?})"/> (in production librdkafka's own table, <see cref="KafkaErrorNames"/>).
/// </summary>
public sealed partial class ChaosSpec
{
    /// <summary>Faults a minute of <c>random:SEED</c> without a RATE.</summary>
    public const double DefaultRandomRate = 6;

    /// <summary>librdkafka's <c>RD_KAFKA_RESP_ERR__TRANSPORT</c>: pushed as a request error, the mock broker disconnects the client.</summary>
    private const int TransportError = (int)Confluent.Kafka.ErrorCode.Local_Transport;

    private ChaosSpec(IReadOnlyList<ChaosStep> steps, int? seed, double rate, TimeSpan? randomFor = null)
    {
        Steps = steps;
        Seed = seed;
        Rate = rate;
        RandomFor = randomFor;
    }

    /// <summary>How long <c>random:SEED:RATE:FOR</c> starts faults for; null: endless.</summary>
    public TimeSpan? RandomFor { get; }

    /// <summary>The explicit steps in time order (steps at the same time keep their written order); empty for random.</summary>
    public IReadOnlyList<ChaosStep> Steps { get; }

    /// <summary>The seed of <c>random:SEED</c>, else null.</summary>
    public int? Seed { get; }

    /// <summary>Faults a minute of <c>random:SEED:RATE</c>.</summary>
    public double Rate { get; }

    /// <summary>The steps to apply to a cluster of this shape: the explicit ones, or the endless random mix.</summary>
    public IEnumerable<ChaosStep> Schedule(int brokers, int partitions) =>
        Seed is { } seed ? ChaosRandom.Steps(seed, Rate, brokers, partitions, RandomFor) : Steps;

    /// <summary>Parses with librdkafka's error names: Kafka's protocol errors, <c>NO_ERROR</c>, and <c>_TRANSPORT</c> (the broker drops the connection).</summary>
    public static ChaosSpec Parse(string text) => Parse(text, name =>
        KafkaErrorNames.Resolve(name) is { } code && (code >= 0 || code == TransportError) ? code : null);

    public static ChaosSpec Parse(string text, Func<string, int?> errorCode)
    {
        ArgumentNullException.ThrowIfNull(errorCode);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ChaosSpecException("--chaos: empty SPEC; expected AT:ACTION steps separated by ';' or random:SEED[:RATE].");
        }

        text = text.Trim();
        if (text.StartsWith("random:", StringComparison.OrdinalIgnoreCase))
        {
            return ParseRandom(text);
        }

        var steps = new List<ChaosStep>();
        var parts = text.Split(';', StringSplitOptions.TrimEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i].Length == 0 && i == parts.Length - 1 && i > 0)
            {
                continue; // a trailing ';'
            }

            steps.Add(ParseStep(parts[i], i + 1, errorCode));
        }

        return new ChaosSpec([.. steps.OrderBy(s => s.At)], null, 0);
    }

    /// <summary>Checks broker ids and partitions against the cluster; throws naming the first step that does not fit.</summary>
    public void Validate(int brokers, int partitions)
    {
        for (var i = 0; i < Steps.Count; i++)
        {
            var step = Steps[i];
            if (step.Action is not (ChaosAction.Errors or ChaosAction.TopicError) && (step.Broker < 1 || step.Broker > brokers))
            {
                throw new ChaosSpecException($"--chaos: step '{Describe(step)}': broker {step.Broker} does not exist (brokers are 1..{brokers}).");
            }

            if (step.Partition is { } p && p >= partitions)
            {
                throw new ChaosSpecException($"--chaos: step '{Describe(step)}': partition {p} does not exist (partitions are 0..{partitions - 1}).");
            }
        }
    }

    /// <summary>A duration as AT is written: one or more NUMBER+UNIT parts (<c>1m30s</c>, <c>1h5m</c>, <c>2.5s</c>, <c>0s</c>).</summary>
    public static bool TryParseAt(string text, out TimeSpan at)
    {
        at = TimeSpan.Zero;
        var match = AtPattern().Match(text);
        if (!match.Success)
        {
            return false;
        }

        foreach (Capture part in match.Groups["part"].Captures)
        {
            if (!DurationParser.TryParse(part.Value, out var d))
            {
                return false;
            }

            at += d.Value;
        }

        return true;
    }

    private static string Describe(ChaosStep step) =>
        string.Create(CultureInfo.InvariantCulture, $"{step.At.TotalSeconds:0.###}s:{step.Text}");

    private static ChaosSpec ParseRandom(string text)
    {
        var parts = text.Split(':');
        if (parts.Length is < 2 or > 4
            || !int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed))
        {
            throw new ChaosSpecException($"--chaos: '{text}': expected random:SEED[:RATE[:FOR]] with a whole-number SEED.");
        }

        TimeSpan? randomFor = null;
        if (parts.Length == 4)
        {
            if (!TryParseAt(parts[3], out var span) || span <= TimeSpan.Zero)
            {
                throw new ChaosSpecException($"--chaos: '{text}': FOR must be a duration like 60s or 10m.");
            }

            randomFor = span;
        }

        var rate = DefaultRandomRate;
        if (parts.Length >= 3 && (!double.TryParse(parts[2], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out rate)
                                  || rate <= 0 || rate > 600))
        {
            throw new ChaosSpecException($"--chaos: '{text}': RATE (faults a minute) must be a number above 0 and at most 600.");
        }

        return new ChaosSpec([], seed, rate, randomFor);
    }

    private static ChaosStep ParseStep(string raw, int number, Func<string, int?> errorCode)
    {
        ChaosSpecException Fail(string why) => new($"--chaos: step {number} '{raw}': {why}");

        var colon = raw.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw Fail("expected AT:ACTION, e.g. 10s:down 2.");
        }

        if (!TryParseAt(raw[..colon].Trim(), out var at))
        {
            throw Fail($"'{raw[..colon].Trim()}' is not a time like 10s, 1m30s or 250ms.");
        }

        var words = raw[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 0)
        {
            throw Fail("no action; expected down, up, rtt, leader, coordinator, errors, delay or topic-error.");
        }

        int Number(int index, string what, int min, int max = int.MaxValue)
        {
            if (index >= words.Length)
            {
                throw Fail($"'{words[0]}' needs {what}.");
            }

            if (!int.TryParse(words[index], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            {
                throw Fail($"{what} must be a whole number from {min}{(max == int.MaxValue ? " up" : $" to {max}")}, not '{words[index]}'.");
            }

            return value;
        }

        void Arity(int count, string usage)
        {
            if (words.Length != count)
            {
                throw Fail($"expected '{usage}'.");
            }
        }

        int Code(string name)
        {
            if (int.TryParse(name, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var numeric))
            {
                return numeric;
            }

            return errorCode(name) ?? throw new ChaosSpecException(
                $"--chaos: step {number} '{raw}': '{name}' is not a Kafka error name (e.g. NOT_COORDINATOR, REBALANCE_IN_PROGRESS).");
        }

        short Api(int index)
        {
            if (index >= words.Length || !KafkaApiKeys.All.TryGetValue(words[index], out var key))
            {
                throw Fail($"'{(index < words.Length ? words[index] : string.Empty)}' is not a Kafka API; one of {string.Join(", ", KafkaApiKeys.All.Keys)}.");
            }

            return key;
        }

        var action = words[0].ToLowerInvariant();
        switch (action)
        {
            case "down" or "up":
            {
                Arity(2, $"{action} BROKER");
                var broker = Number(1, "BROKER", 1);
                return new ChaosStep(at, action == "down" ? ChaosAction.Down : ChaosAction.Up, $"{action} {broker}") { Broker = broker };
            }

            case "rtt":
            {
                Arity(3, "rtt BROKER MS");
                var broker = Number(1, "BROKER", 1);
                var ms = Number(2, "MS", 0, 3_600_000);
                return new ChaosStep(at, ChaosAction.Rtt, Invariant($"rtt {broker} {ms}")) { Broker = broker, Milliseconds = ms };
            }

            case "leader":
            {
                Arity(3, "leader PARTITION|* BROKER");
                int? partition = words[1] == "*" ? null : Number(1, "PARTITION", 0);
                var broker = Number(2, "BROKER", 1);
                return new ChaosStep(at, ChaosAction.Leader, $"leader {words[1]} {broker}") { Broker = broker, Partition = partition };
            }

            case "coordinator":
            {
                Arity(2, "coordinator BROKER");
                var broker = Number(1, "BROKER", 1);
                return new ChaosStep(at, ChaosAction.Coordinator, $"coordinator {broker}") { Broker = broker };
            }

            case "errors":
            {
                Arity(4, "errors API N CODE[,CODE...]");
                var api = Api(1);
                var count = Number(2, "N", 1, 100_000);
                var codes = words[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Code).ToArray();
                if (codes.Length == 0)
                {
                    throw Fail("needs at least one error CODE.");
                }

                return new ChaosStep(at, ChaosAction.Errors,
                    Invariant($"errors {KafkaApiKeys.NameOf(api)} {count} {words[3].ToUpperInvariant()}"))
                {
                    ApiKey = api, Count = count, ErrorCodes = codes,
                };
            }

            case "delay":
            {
                Arity(5, "delay API BROKER N MS");
                var api = Api(1);
                var broker = Number(2, "BROKER", 1);
                var count = Number(3, "N", 1, 10_000);
                var ms = Number(4, "MS", 0, 3_600_000);
                return new ChaosStep(at, ChaosAction.Delay, Invariant($"delay {KafkaApiKeys.NameOf(api)} {broker} {count} {ms}"))
                {
                    ApiKey = api, Broker = broker, Count = count, Milliseconds = ms,
                };
            }

            case "topic-error":
            {
                Arity(2, "topic-error CODE");
                var code = Code(words[1]);
                return new ChaosStep(at, ChaosAction.TopicError, $"topic-error {words[1].ToUpperInvariant()}") { ErrorCodes = [code] };
            }

            default:
                throw Fail($"unknown action '{words[0]}'; expected down, up, rtt, leader, coordinator, errors, delay or topic-error.");
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(?<part>\d+(\.\d+)?(ms|h|m|s))+$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AtPattern();
}
