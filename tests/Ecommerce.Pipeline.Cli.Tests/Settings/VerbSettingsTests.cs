using System.CommandLine;
using Ecommerce.Pipeline.Cli.Commands;
using Ecommerce.Pipeline.Cli.Hosting;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Kafka;

namespace Ecommerce.Pipeline.Cli.Tests.Settings;

/// <summary>
/// The verbs that only produce or only read the warehouse take their settings from the environment when the option
/// is absent, with the same rules as every other verb: the option wins, and a blank value counts as not set.
/// </summary>
public sealed class VerbSettingsTests
{
    [Fact]
    public void Produce_takes_brokers_topic_and_security_from_the_environment_when_no_option_is_given()
    {
        var (command, settings) = ProduceCommand.Define();

        var kafka = settings.ReadKafka(Parse(command, "produce"), EnvironmentOf(
            (SettingNames.KafkaBrokerList, " env:1 "), (SettingNames.TransactionsTopic, "from_env"),
            (SettingNames.KafkaSaslMechanism, "plaintext"), (SettingNames.KafkaSaslUsername, "u"),
            (SettingNames.KafkaSaslPassword, "p")));

        Assert.Equal(("env:1", "from_env"), (kafka.KafkaBrokerList, kafka.TransactionsTopic));
        Assert.Equal((KafkaSaslMechanism.Plain, "u"), (kafka.KafkaSecurity.Mechanism, kafka.KafkaSecurity.Username));
    }

    [Fact]
    public void Produce_options_win_over_the_environment()
    {
        var (command, settings) = ProduceCommand.Define();

        var kafka = settings.ReadKafka(Parse(command, "produce", "--bootstrap-servers", "opt:1", "--topic", "from_option"),
            EnvironmentOf((SettingNames.KafkaBrokerList, "env:1"), (SettingNames.TransactionsTopic, "from_env")));

        Assert.Equal(("opt:1", "from_option"), (kafka.KafkaBrokerList, kafka.TransactionsTopic));
    }

    [Fact]
    public void Produce_with_a_blank_topic_in_the_environment_uses_the_contract_default()
    {
        var (command, settings) = ProduceCommand.Define();

        var kafka = settings.ReadKafka(Parse(command, "produce", "--bootstrap-servers", "opt:1"),
            EnvironmentOf((SettingNames.TransactionsTopic, "   ")));

        Assert.Equal(Defaults.TransactionsTopic, kafka.TransactionsTopic);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Produce_without_brokers_is_a_usage_error_naming_the_option_and_the_setting(string? environmentValue)
    {
        var (command, settings) = ProduceCommand.Define();
        var environment = environmentValue is null
            ? EnvironmentOf()
            : EnvironmentOf((SettingNames.KafkaBrokerList, environmentValue));

        var error = Assert.Throws<UsageException>(() => settings.ReadKafka(Parse(command, "produce"), environment));

        Assert.Contains("--bootstrap-servers", error.Message, StringComparison.Ordinal);
        Assert.Contains(SettingNames.KafkaBrokerList, error.Message, StringComparison.Ordinal);
        var (code, line) = ExitCodeMapper.Map(error)!.Value;
        Assert.Equal(ExitCodes.Usage, code);
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public void Produce_with_a_blank_option_and_no_environment_is_a_usage_error_too()
    {
        var (command, settings) = ProduceCommand.Define();

        Assert.Throws<UsageException>(() => settings.ReadKafka(Parse(command, "produce", "--bootstrap-servers", " "), EnvironmentOf()));
    }

    [Theory]
    [InlineData("query")]
    [InlineData("report")]
    public void The_warehouse_file_comes_from_the_environment_when_duckdb_is_not_given(string verb)
    {
        var (command, settings) = Define(verb);

        var path = settings.ReadDuckDbPath(Parse(command, Args(verb)), EnvironmentOf((SettingNames.DuckDbPath, " env.duckdb ")));

        Assert.Equal("env.duckdb", path);
    }

    [Theory]
    [InlineData("query")]
    [InlineData("report")]
    public void The_duckdb_option_wins_over_the_environment(string verb)
    {
        var (command, settings) = Define(verb);

        var path = settings.ReadDuckDbPath(Parse(command, Args(verb, "--duckdb", "option.duckdb")),
            EnvironmentOf((SettingNames.DuckDbPath, "env.duckdb")));

        Assert.Equal("option.duckdb", path);
    }

    [Theory]
    [InlineData("query")]
    [InlineData("report")]
    public void A_blank_environment_value_counts_as_not_set(string verb)
    {
        var (command, settings) = Define(verb);

        var path = settings.ReadDuckDbPath(Parse(command, Args(verb)), EnvironmentOf((SettingNames.DuckDbPath, "  ")));

        Assert.Equal(Defaults.DuckDbPath, path);
    }

    [Theory]
    [InlineData("query")]
    [InlineData("report")]
    public void Reading_the_warehouse_file_ignores_sink_settings_it_never_uses(string verb)
    {
        var (command, settings) = Define(verb);

        var path = settings.ReadDuckDbPath(Parse(command, Args(verb)), EnvironmentOf(
            (SettingNames.Sink, "parquet"), (SettingNames.BigQueryEndpoint, "ftp://emulator"), (SettingNames.DuckDbPath, "env.duckdb")));

        Assert.Equal("env.duckdb", path);
    }

    private static (Command Command, SettingOptions Settings) Define(string verb) =>
        verb == "query" ? QueryCommand.Define() : ReportCommand.Define();

    // query needs its SQL argument to parse.
    private static string[] Args(string verb, params string[] options) =>
        verb == "query" ? [verb, .. options, "SELECT 1"] : [verb, .. options];

    private static ParseResult Parse(Command command, params string[] args)
    {
        var root = new RootCommand { command };
        var parse = root.Parse(args);
        Assert.Empty(parse.Errors);
        return parse;
    }

    private static Dictionary<string, string?> EnvironmentOf(params (string Name, string Value)[] values) =>
        values.ToDictionary(v => v.Name, v => (string?)v.Value, StringComparer.Ordinal);
}
