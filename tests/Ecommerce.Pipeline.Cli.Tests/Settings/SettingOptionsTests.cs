using System.CommandLine;
using Ecommerce.Pipeline.BigQuery.StorageWrite;
using Ecommerce.Pipeline.Cli.Commands;
using Ecommerce.Pipeline.Cli.Hosting;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Hosting;
using Ecommerce.Pipeline.Kafka;
using Microsoft.Extensions.Configuration;

namespace Ecommerce.Pipeline.Cli.Tests.Settings;

/// <summary>The CLI's settings: the environment overlaid with the options given, read by the function app's reader.</summary>
public sealed class SettingOptionsTests
{
    private readonly Command _command;
    private readonly SettingOptions _settings;

    public SettingOptionsTests()
    {
        var bootstrap = Options.BootstrapServers(required: false);
        var topic = Options.Topic();
        var sink = ProcessCommand.SinkOption();
        var duckdb = Options.DuckDbPath();
        var bigQuery = BigQueryOptions.Create();
        _command = new Command("verb") { bootstrap, topic, sink, duckdb };
        bigQuery.AddTo(_command);
        _settings = new SettingOptions()
            .Add(bootstrap, SettingNames.KafkaBrokerList)
            .Add(topic, SettingNames.TransactionsTopic)
            .Add(sink, SettingNames.Sink)
            .Add(duckdb, SettingNames.DuckDbPath);
        bigQuery.AddTo(_settings);
    }

    [Fact]
    public void An_option_given_wins_over_the_environment()
    {
        var settings = Read(["--bootstrap-servers", "opt:1", "--topic", "from_option"],
            (SettingNames.KafkaBrokerList, "env:1"), (SettingNames.TransactionsTopic, "from_env"), (SettingNames.DuckDbPath, "env.duckdb"));

        Assert.Equal(("opt:1", "from_option"), (settings.KafkaBrokerList, settings.TransactionsTopic));
        // Not given: the environment's value, not the option's default.
        Assert.Equal("env.duckdb", settings.DuckDbPath);
    }

    [Fact]
    public void Without_option_or_environment_the_contract_defaults_apply()
    {
        var settings = Read(["--bootstrap-servers", "opt:1"]);

        Assert.Equal(PipelineSettings.From(Config((SettingNames.KafkaBrokerList, "opt:1"))), settings);
        Assert.Equal((Defaults.TransactionsTopic, SinkKind.DuckDb, 1), (settings.TransactionsTopic, settings.Sink, settings.MaxConcurrentWrites));
    }

    [Fact]
    public void Kafka_security_comes_from_the_same_settings()
    {
        var settings = Read(["--bootstrap-servers", "opt:1"],
            (SettingNames.KafkaSaslMechanism, "scram_sha512"), (SettingNames.KafkaSaslUsername, "pipeline"),
            (SettingNames.KafkaSaslPassword, "secret"), (SettingNames.KafkaTls, "enable"));

        Assert.Equal((KafkaSaslMechanism.ScramSha512, "pipeline", true),
            (settings.KafkaSecurity.Mechanism, settings.KafkaSecurity.Username, settings.KafkaSecurity.Tls));
    }

    [Fact]
    public void A_bad_value_fails_as_in_the_function_app_in_the_options_words()
    {
        var fromApp = Assert.Throws<InvalidOperationException>(() => PipelineSettings.From(Config(
            (SettingNames.KafkaBrokerList, "b:1"), (SettingNames.BigQueryEndpoint, "ftp://emulator"))));

        var fromOption = Assert.Throws<UsageException>(() => Read(["--bootstrap-servers", "b:1", "--bigquery-endpoint", "ftp://emulator"]));
        var fromEnvironment = Assert.Throws<UsageException>(() => Read(["--bootstrap-servers", "b:1"],
            (SettingNames.BigQueryEndpoint, "ftp://emulator")));

        Assert.Equal("Setting 'BigQuery__Endpoint' must be an http(s) URL, not 'ftp://emulator'.", fromApp.Message);
        Assert.Equal("--bigquery-endpoint must be an http(s) URL, not 'ftp://emulator'.", fromOption.Message);
        Assert.Equal(fromOption.Message, fromEnvironment.Message);
    }

    [Fact]
    public void The_maintenance_verbs_read_the_warehouse_with_the_same_rules_and_no_kafka()
    {
        var parse = _command.Parse(["--sink", "bigquery", "--bigquery-project", "p", "--bigquery-endpoint", "ftp://emulator"]);

        var error = Assert.Throws<UsageException>(() => _settings.ReadWarehouse(parse, new Dictionary<string, string?>()));
        var warehouse = _settings.ReadWarehouse(_command.Parse(["--sink", "bigquery", "--bigquery-project", "p"]),
            new Dictionary<string, string?> { [SettingNames.BigQueryDatasetId] = "d" });

        Assert.Equal("--bigquery-endpoint must be an http(s) URL, not 'ftp://emulator'.", error.Message);
        Assert.Equal((SinkKind.BigQuery, "p", "d", "transactions"),
            (warehouse.Sink, warehouse.BigQueryProjectId, warehouse.BigQueryDatasetId, warehouse.BigQueryTable));
    }

    [Fact]
    public void Sink_bigquery_without_project_names_the_options()
    {
        var error = Assert.Throws<UsageException>(() => Read(["--bootstrap-servers", "b:1", "--sink", "BigQuery"]));

        Assert.Equal("--sink is 'bigquery', which needs the settings --bigquery-project and --bigquery-dataset.", error.Message);
    }

    [Fact]
    public void Sink_names_are_read_in_any_case_and_decide_the_overlapping_writes()
    {
        var settings = Read(["--bootstrap-servers", "b:1", "--sink", "BigQuery", "--bigquery-project", "p", "--bigquery-dataset", "d",
            "--bigquery-write-api", "insertall"]);

        Assert.Equal((SinkKind.BigQuery, 4, "p", "d"),
            (settings.Sink, settings.MaxConcurrentWrites, settings.BigQueryProjectId, settings.BigQueryDatasetId));
    }

    [Fact]
    public void The_embedded_broker_verbs_speak_plaintext_whatever_the_environment_says()
    {
        var settings = Read([], EmbeddedBrokerSettings.For("127.0.0.1:9", SinkKind.DuckDb, 0),
            (SettingNames.KafkaSaslMechanism, "scram_sha512"), (SettingNames.KafkaSaslUsername, "u"),
            (SettingNames.KafkaSaslPassword, "p"), (SettingNames.KafkaTls, "enable"), (SettingNames.Sink, "bigquery"),
            (SettingNames.TransactionsTopic, "elsewhere"));

        Assert.Same(KafkaSecurity.Plaintext, settings.KafkaSecurity);
        Assert.Equal(("127.0.0.1:9", SinkKind.DuckDb, Defaults.TransactionsTopic),
            (settings.KafkaBrokerList, settings.Sink, settings.TransactionsTopic));
    }

    [Fact]
    public void The_write_api_and_delivery_default_to_storage_exactly_once()
    {
        var settings = Read(["--bootstrap-servers", "b:1", "--sink", "bigquery", "--bigquery-project", "p", "--bigquery-dataset", "d"]);

        Assert.Equal((WriteApi.Storage, DeliveryGuarantee.ExactlyOnce, null),
            (settings.BigQueryWriteApi, settings.BigQueryDelivery, settings.BigQueryStorageEndpoint));
    }

    [Theory]
    [InlineData("storage", "exactly-once", WriteApi.Storage, DeliveryGuarantee.ExactlyOnce)]
    [InlineData("insertall", "at-least-once", WriteApi.InsertAll, DeliveryGuarantee.AtLeastOnce)]
    [InlineData(" InsertAll ", "AT-LEAST-ONCE", WriteApi.InsertAll, DeliveryGuarantee.AtLeastOnce)]
    [InlineData("Storage", "Exactly-Once", WriteApi.Storage, DeliveryGuarantee.ExactlyOnce)]
    public void Each_write_api_and_delivery_is_read_in_any_case_from_the_environment_and_the_options(
        string api, string delivery, WriteApi expectedApi, DeliveryGuarantee expectedDelivery)
    {
        var fromApp = PipelineSettings.From(Config((SettingNames.KafkaBrokerList, "b:1"),
            (SettingNames.BigQueryWriteApi, api), (SettingNames.BigQueryDelivery, delivery)));
        var fromOptions = Read(["--bootstrap-servers", "b:1", "--bigquery-write-api", api, "--bigquery-delivery", delivery]);
        var fromEnvironment = Read(["--bootstrap-servers", "b:1"],
            (SettingNames.BigQueryWriteApi, api), (SettingNames.BigQueryDelivery, delivery));

        Assert.All(new[] { fromApp, fromOptions, fromEnvironment },
            s => Assert.Equal((expectedApi, expectedDelivery), (s.BigQueryWriteApi, s.BigQueryDelivery)));
    }

    [Theory]
    [InlineData(SettingNames.BigQueryWriteApi, "--bigquery-write-api", "streaming", "must be 'storage' or 'insertall', not 'streaming'.")]
    [InlineData(SettingNames.BigQueryDelivery, "--bigquery-delivery", "exactly_once", "must be 'exactly-once' or 'at-least-once', not 'exactly_once'.")]
    [InlineData(SettingNames.BigQueryStorageEndpoint, "--bigquery-storage-endpoint", "grpc://127.0.0.1:1", "must be an http(s) URL, not 'grpc://127.0.0.1:1'.")]
    public void A_bad_write_setting_names_the_setting_and_the_allowed_values(string setting, string option, string value, string rule)
    {
        var fromApp = Assert.Throws<InvalidOperationException>(() => PipelineSettings.From(Config(
            (SettingNames.KafkaBrokerList, "b:1"), (setting, value))));
        var fromEnvironment = Assert.Throws<UsageException>(() => Read(["--bootstrap-servers", "b:1"], (setting, value)));

        Assert.Equal($"Setting '{setting}' {rule}", fromApp.Message);
        Assert.Equal($"{option} {rule}", fromEnvironment.Message);
    }

    [Theory]
    [InlineData("--bigquery-write-api", "streaming", "--bigquery-write-api must be storage or insertall.")]
    [InlineData("--bigquery-delivery", "once", "--bigquery-delivery must be exactly-once or at-least-once.")]
    public void A_bad_write_option_is_a_parse_error_naming_the_allowed_values(string option, string value, string expected)
    {
        var parse = _command.Parse(["--bootstrap-servers", "b:1", option, value]);

        Assert.Equal(expected, Assert.Single(parse.Errors).Message);
    }

    [Fact]
    public void A_rest_endpoint_without_a_storage_endpoint_is_refused_naming_both()
    {
        var fromApp = Assert.Throws<InvalidOperationException>(() => PipelineSettings.From(Config(
            (SettingNames.KafkaBrokerList, "b:1"), (SettingNames.Sink, "bigquery"), (SettingNames.BigQueryProjectId, "p"),
            (SettingNames.BigQueryDatasetId, "d"), (SettingNames.BigQueryEndpoint, "http://127.0.0.1:1"))));
        var fromOptions = Assert.Throws<UsageException>(() => Read(["--bootstrap-servers", "b:1", "--sink", "bigquery",
            "--bigquery-project", "p", "--bigquery-dataset", "d", "--bigquery-endpoint", "http://127.0.0.1:1"]));
        var reverse = Assert.Throws<UsageException>(() => Read(["--bootstrap-servers", "b:1", "--sink", "bigquery",
            "--bigquery-project", "p", "--bigquery-dataset", "d", "--bigquery-storage-endpoint", "http://127.0.0.1:2"]));

        Assert.StartsWith("Setting 'BigQuery__Endpoint' is set but 'BigQuery__StorageEndpoint' is not", fromApp.Message, StringComparison.Ordinal);
        Assert.StartsWith("--bigquery-endpoint is set but --bigquery-storage-endpoint is not", fromOptions.Message, StringComparison.Ordinal);
        Assert.StartsWith("--bigquery-storage-endpoint is set but --bigquery-endpoint is not", reverse.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Either_both_endpoints_or_insertall_or_another_sink_are_fine()
    {
        string[] bigQuery = ["--bootstrap-servers", "b:1", "--sink", "bigquery", "--bigquery-project", "p", "--bigquery-dataset", "d"];

        var both = Read([.. bigQuery, "--bigquery-endpoint", "http://127.0.0.1:1", "--bigquery-storage-endpoint", "http://127.0.0.1:2"]);
        var insertAll = Read([.. bigQuery, "--bigquery-endpoint", "http://127.0.0.1:1", "--bigquery-write-api", "insertall"]);
        var duckDb = Read(["--bootstrap-servers", "b:1", "--bigquery-endpoint", "http://127.0.0.1:1"]);
        // compact and retention send nothing to the Storage Write API: one endpoint is all they need.
        var warehouse = _settings.ReadWarehouse(_command.Parse([.. bigQuery[2..], "--bigquery-endpoint", "http://127.0.0.1:1"]),
            new Dictionary<string, string?>());

        Assert.Equal((new Uri("http://127.0.0.1:1"), new Uri("http://127.0.0.1:2")), (both.BigQueryEndpoint, both.BigQueryStorageEndpoint));
        Assert.Equal(WriteApi.InsertAll, insertAll.BigQueryWriteApi);
        Assert.Equal(SinkKind.DuckDb, duckDb.Sink);
        Assert.Equal(WriteApi.Storage, warehouse.BigQueryWriteApi);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:")]
    [InlineData(":9092")]
    [InlineData("host:0")]
    [InlineData("host:65536")]
    [InlineData("host:port")]
    [InlineData("a:1,,b:2")]
    [InlineData("a:1;b:2")]
    [InlineData("PLAINTEXT://a:1")]
    [InlineData("::1:9092")]
    [InlineData("a b:1")]
    public void A_broker_list_that_is_not_host_port_is_a_usage_error_from_the_option_and_the_environment(string brokers)
    {
        var fromApp = Assert.Throws<InvalidOperationException>(() => PipelineSettings.From(Config((SettingNames.KafkaBrokerList, brokers))));
        var fromOption = Assert.Throws<UsageException>(() => Read(["--bootstrap-servers", brokers]));
        var fromEnvironment = Assert.Throws<UsageException>(() => Read([], (SettingNames.KafkaBrokerList, brokers)));

        Assert.StartsWith("Setting 'KafkaBrokerList' must be HOST:PORT,... (port 1-65535)", fromApp.Message, StringComparison.Ordinal);
        Assert.StartsWith("--bootstrap-servers must be HOST:PORT,... (port 1-65535)", fromOption.Message, StringComparison.Ordinal);
        Assert.Equal(fromOption.Message, fromEnvironment.Message);
        Assert.DoesNotContain('\n', fromOption.Message);
    }

    [Theory]
    [InlineData("a:1")]
    [InlineData("127.0.0.1:9092, kafka-0.kafka.svc.cluster.local:9093")]
    [InlineData("[::1]:9092")]
    [InlineData("broker_1:65535")]
    public void Host_port_lists_are_taken_as_given(string brokers) =>
        Assert.Equal(brokers, Read(["--bootstrap-servers", brokers]).KafkaBrokerList);

    [Theory]
    [InlineData("--bootstrap-servers", "")]
    [InlineData("--bootstrap-servers", "  ")]
    [InlineData("--topic", "")]
    [InlineData("--duckdb", " ")]
    [InlineData("--sink", "")]
    [InlineData("--bigquery-project", "")]
    [InlineData("--bigquery-storage-endpoint", " ")]
    [InlineData("--bigquery-write-api", "")]
    public void An_option_given_empty_or_blank_is_a_usage_error_naming_it(string option, string value)
    {
        var args = option == "--bootstrap-servers" ? [option, value] : new[] { "--bootstrap-servers", "b:1", option, value };
        var parse = _command.Parse(args);

        var error = parse.Errors.Count > 0
            ? parse.Errors[0].Message
            : Assert.Throws<UsageException>(() => _settings.Read(parse, null, new Dictionary<string, string?>())).Message;

        Assert.Contains(option, error, StringComparison.Ordinal);
    }

    private PipelineSettings Read(string[] args, params (string Name, string Value)[] environment) =>
        Read(args, null, environment);

    private PipelineSettings Read(string[] args, IReadOnlyDictionary<string, string?>? fixedValues,
        params (string Name, string Value)[] environment)
    {
        var parse = _command.Parse(args);
        Assert.Empty(parse.Errors);
        return _settings.Read(parse, fixedValues, environment.ToDictionary(e => e.Name, e => (string?)e.Value));
    }

    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build();
}
