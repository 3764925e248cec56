using System.CommandLine;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Kafka.Embedded.Chaos;

namespace Ecommerce.Pipeline.Cli.Commands;

/// <summary>
/// Options shared by several verbs. Those that stand for settings have no defaults of their own: when not given, the
/// verb's <see cref="Hosting.SettingOptions"/> reads the setting (environment, then the contract's default), so every
/// setting has one rule.
/// </summary>
internal static class Options
{
    /// <param name="required">Whether the verb needs brokers; then its help says the option is required when the setting is not set.</param>
    public static Option<string> BootstrapServers(bool required = true) => new("--bootstrap-servers")
    {
        Description = "Kafka bootstrap servers, HOST:PORT,... " + (required
            ? $"(default: ${SettingNames.KafkaBrokerList}; required when that is not set)"
            : $"(default: ${SettingNames.KafkaBrokerList})"),
    };

    public static Option<string> Topic() => new("--topic")
    {
        Description = $"Topic to read or write (default: ${SettingNames.TransactionsTopic}, else {Defaults.TransactionsTopic})",
    };

    public static Option<string> DuckDbPath() => new("--duckdb")
    {
        Description = $"DuckDB warehouse file (default: ${SettingNames.DuckDbPath}, else {Defaults.DuckDbPath})",
    };

    public static Option<int> MetricsPort(int defaultPort = Defaults.MetricsPort) => new("--metrics-port")
    {
        Description = "Port of the Prometheus /metrics endpoint (0 = none)",
        DefaultValueFactory = _ => defaultPort,
        // A parser rather than a validator: a validator would ask for the value of an unparsable token and crash.
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
            if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
                && port <= 65535)
            {
                return port;
            }

            result.AddError($"--metrics-port must be a port number 0–65535, not '{text}'.");
            return defaultPort;
        },
    };

    /// <summary>A duration written 250ms, 5s, 2m or 1h.</summary>
    public static Option<TimeSpan?> Duration(string name, string description) => new(name)
    {
        Description = description + " (e.g. 250ms, 5s, 2m, 1h)",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
            if (DurationParser.TryParse(text, out var duration) && duration > TimeSpan.Zero)
            {
                return duration;
            }

            result.AddError($"{name}: '{text}' is not a duration like 250ms, 5s, 2m or 1h.");
            return null;
        },
    };

    public static Option<T> Positive<T>(string name, string description, T defaultValue)
        where T : struct, IComparable<T>, IParsable<T> => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        // A parser rather than a validator: a validator would ask for the value of an unparsable token and crash.
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
            if (T.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value) && value.CompareTo(default) > 0)
            {
                return value;
            }

            result.AddError($"{name} must be a positive number, not '{text}'.");
            return defaultValue;
        },
    };

    /// <summary><c>--chaos SPEC</c>: faults for the embedded cluster (<see cref="ChaosSpec"/>); an unparsable SPEC is a usage error naming the step.</summary>
    public static Option<ChaosSpec?> Chaos() => new("--chaos")
    {
        Description = "Faults to inject into the embedded cluster: AT:ACTION steps separated by ';' (e.g. '10s:down 2;25s:up 2'), " +
                      "or random:SEED[:RATE]. Actions: down B, up B, rtt B MS, leader P|* B, coordinator B, errors API N CODE[,CODE...], " +
                      "delay API B N MS, topic-error CODE",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
            try
            {
                return ChaosSpec.Parse(text);
            }
            catch (ChaosSpecException ex)
            {
                result.AddError(ex.Message);
                return null;
            }
        },
    };
}
