using System.CommandLine;
using System.CommandLine.Parsing;
using Ecommerce.Pipeline.Hosting;
using Microsoft.Extensions.Configuration;

namespace Ecommerce.Pipeline.Cli.Hosting;

/// <summary>
/// The options of a verb that stand for settings of docs/contract.md (Settings). The verb's settings are the
/// environment overlaid with the options the user gave (options win), read by the same
/// <see cref="PipelineSettings.From"/> as the function app: one validation rule and one error text per setting.
/// </summary>
internal sealed class SettingOptions
{
    private readonly List<(Option Option, string Setting, bool Always, Func<ParseResult, string?> Value)> _options = [];

    /// <summary>
    /// Binds <paramref name="option"/> to <paramref name="setting"/>. Its value counts only when given, unless
    /// <paramref name="always"/>: then its default wins over the environment too (e.g. the CLI's metrics port).
    /// </summary>
    public SettingOptions Add<T>(Option<T> option, string setting, bool always = false)
    {
        _options.Add((option, setting, always,
            parse => Convert.ToString(parse.GetValue(option), System.Globalization.CultureInfo.InvariantCulture)));
        return this;
    }

    /// <summary>
    /// Reads the settings: the process environment (or <paramref name="environment"/> instead, for tests), then the
    /// options given on the command line, then <paramref name="fixedValues"/> (what the verb decides itself).
    /// </summary>
    /// <exception cref="UsageException">A setting is missing or not allowed; named by its option when the verb has one.</exception>
    public PipelineSettings Read(ParseResult parse, IReadOnlyDictionary<string, string?>? fixedValues = null,
        IReadOnlyDictionary<string, string?>? environment = null) =>
        Read(parse, PipelineSettings.From, fixedValues, environment);

    /// <summary>
    /// Only the warehouse settings, layered the same way, for the verbs that talk to no Kafka (compact, retention).
    /// </summary>
    /// <exception cref="UsageException">A setting is not allowed; named by its option when the verb has one.</exception>
    public WarehouseSettings ReadWarehouse(ParseResult parse, IReadOnlyDictionary<string, string?>? environment = null) =>
        Read(parse, WarehouseSettings.From, null, environment);

    /// <summary>Only the Kafka settings, layered the same way, for the verbs that write no warehouse (produce).</summary>
    /// <exception cref="UsageException">A setting is missing or not allowed; named by its option when the verb has one.</exception>
    public KafkaSettings ReadKafka(ParseResult parse, IReadOnlyDictionary<string, string?>? environment = null) =>
        Read(parse, KafkaSettings.From, null, environment);

    /// <summary>Only the DuckDB file, layered the same way, for the verbs that just read it (query, report).</summary>
    public string ReadDuckDbPath(ParseResult parse, IReadOnlyDictionary<string, string?>? environment = null) =>
        Read(parse, WarehouseSettings.DuckDbPathFrom, null, environment);

    private T Read<T>(ParseResult parse, Func<IConfiguration, T> reader, IReadOnlyDictionary<string, string?>? fixedValues,
        IReadOnlyDictionary<string, string?>? environment)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var given = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (option, setting, always, value) in _options)
        {
            if (always || parse.GetResult(option) is OptionResult { Implicit: false })
            {
                var text = value(parse);
                // Blank in the environment means "not set" (a ConfigMap may carry empty keys), but an option the
                // user typed with nothing in it is a mistake, not a request for the default.
                if (string.IsNullOrWhiteSpace(text))
                {
                    throw new UsageException($"{option.Name} must not be empty.");
                }

                given[setting] = text;
            }
        }

        var builder = new ConfigurationBuilder();
        if (environment is null)
        {
            builder.AddEnvironmentVariables();
        }
        else
        {
            builder.AddInMemoryCollection(environment);
        }

        var configuration = builder.AddInMemoryCollection(given).AddInMemoryCollection(fixedValues ?? new Dictionary<string, string?>()).Build();
        try
        {
            return reader(configuration);
        }
        catch (InvalidOperationException ex)
        {
            // A setting is wrong: a usage error, as when an option's own check fails.
            throw new UsageException(InOptionNames(ex.Message));
        }
    }

    // The settings' error text in the verb's words: "Setting 'Sink' must be ..." reads "--sink must be ...". A missing
    // setting also names the setting, since either the option or the environment could have given it.
    private string InOptionNames(string message)
    {
        foreach (var (option, setting, _, _) in _options)
        {
            message = message
                .Replace($"Setting '{setting}' is required", $"{option.Name} is required unless the setting {setting} is set",
                    StringComparison.Ordinal)
                .Replace($"Setting '{setting}'", option.Name, StringComparison.Ordinal)
                .Replace($"'{setting}'", option.Name, StringComparison.Ordinal);
        }

        return message;
    }
}
