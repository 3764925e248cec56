using System.Reflection;
using System.Text.Json;
using Ecommerce.Pipeline.Core.Configuration;

namespace Ecommerce.Pipeline.Functions.Tests;

/// <summary>
/// Reads the <c>functions.metadata</c> the Worker SDK wrote when it built the app: the host (and KEDA's view of the
/// app) sees exactly this, so it is what has to be right. <c>func start</c> cannot run here; this is its stand-in.
/// </summary>
public sealed class FunctionsMetadataTests
{
    private static readonly IReadOnlyList<JsonElement> Functions = LoadFunctions();

    // Function → (method, protocol, authenticationMode) as the Worker SDK writes the trigger's enum properties: by
    // member name (sdk/Sdk/Extensions/CustomAttributeExtensions.cs, GetEnrichedValue), which the host's WebJobs
    // extension parses into its own BrokerProtocol / BrokerAuthenticationMode (same names).
    public static TheoryData<string, string?, string?> SecurityModes => new()
    {
        { ProcessTransactionsFunction.FunctionName, null, null },
        { ProcessTransactionsFunction.SaslPlainFunctionName, "SaslSsl", "Plain" },
        { ProcessTransactionsFunction.SaslScramFunctionName, "SaslSsl", "ScramSha512" },
    };

    public static TheoryData<string, string> EntryPoints => new()
    {
        { ProcessTransactionsFunction.FunctionName, nameof(ProcessTransactionsFunction.RunAsync) },
        { ProcessTransactionsFunction.SaslPlainFunctionName, nameof(ProcessTransactionsFunction.RunSaslPlainAsync) },
        { ProcessTransactionsFunction.SaslScramFunctionName, nameof(ProcessTransactionsFunction.RunSaslScramAsync) },
    };

    public static TheoryData<string> Names =>
    [
        ProcessTransactionsFunction.FunctionName, ProcessTransactionsFunction.SaslPlainFunctionName,
        ProcessTransactionsFunction.SaslScramFunctionName,
    ];

    [Fact]
    public void The_app_has_exactly_the_three_kafka_functions()
    {
        Assert.Equal(
            [ProcessTransactionsFunction.FunctionName, ProcessTransactionsFunction.SaslPlainFunctionName, ProcessTransactionsFunction.SaslScramFunctionName],
            Functions.Select(f => f.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        Assert.All(Functions, f => Assert.Equal("dotnet-isolated", f.GetProperty("language").GetString()));
    }

    [Theory]
    [MemberData(nameof(EntryPoints))]
    public void Each_function_is_bound_to_its_method(string name, string method)
    {
        Assert.EndsWith($"{nameof(ProcessTransactionsFunction)}.{method}",
            Function(name).GetProperty("entryPoint").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Each_function_has_one_binding_a_batched_kafka_trigger_on_the_contract_settings(string name)
    {
        var trigger = Assert.Single(Function(name).GetProperty("bindings").EnumerateArray().ToList());

        Assert.Equal("kafkaTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("In", trigger.GetProperty("direction").GetString());
        Assert.Equal("Many", trigger.GetProperty("cardinality").GetString());
        Assert.Equal("String", trigger.GetProperty("dataType").GetString());
        Assert.Equal("events", trigger.GetProperty("name").GetString());
        Assert.Equal($"%{SettingNames.KafkaBrokerList}%", Property(trigger, "brokerList"));
        Assert.Equal($"%{SettingNames.TransactionsTopic}%", Property(trigger, "topic"));
        Assert.Equal($"%{SettingNames.ConsumerGroup}%", Property(trigger, "consumerGroup"));
        Assert.Equal("%KafkaBrokerList%|%TransactionsTopic%|%ConsumerGroup%",
            string.Join('|', Property(trigger, "brokerList"), Property(trigger, "topic"), Property(trigger, "consumerGroup")));
    }

    [Theory]
    [MemberData(nameof(SecurityModes))]
    public void Each_function_names_its_protocol_mechanism_and_the_credential_settings(
        string name, string? protocol, string? mode)
    {
        var trigger = Function(name).GetProperty("bindings")[0];
        var sasl = protocol is not null;

        Assert.Equal(protocol, OptionalProperty(trigger, "protocol"));
        Assert.Equal(mode, OptionalProperty(trigger, "authenticationMode"));
        // Literal names too: a renamed constant must show up here, not silently rename a deployed setting.
        Assert.Equal(sasl ? "%KafkaSaslUsername%" : null, OptionalProperty(trigger, "username"));
        Assert.Equal(sasl ? "%KafkaSaslPassword%" : null, OptionalProperty(trigger, "password"));
        Assert.Equal(sasl ? $"%{SettingNames.KafkaSaslUsername}%" : null, OptionalProperty(trigger, "username"));
        // Nothing else about security: TLS trusts the image's CA store, no client certificates.
        Assert.DoesNotContain(trigger.EnumerateObject(), p => p.Name.StartsWith("ssl", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Each_function_level_retry_is_exponential_and_unlimited(string name)
    {
        var retry = Function(name).GetProperty("retry");

        Assert.Equal("exponentialBackoff", retry.GetProperty("strategy").GetString(), ignoreCase: true);
        Assert.Equal(-1, retry.GetProperty("maxRetryCount").GetInt32());
        Assert.Equal("00:00:01", retry.GetProperty("minimumInterval").GetString());
        Assert.Equal("00:01:00", retry.GetProperty("maximumInterval").GetString());
    }

    [Fact]
    public void The_sample_settings_run_exactly_one_function_the_plaintext_one()
    {
        var sample = Path.Combine(AppOutput(), "..", "..", "..", "..", "..", "local.settings.sample.json");
        using var document = JsonDocument.Parse(File.ReadAllText(sample));
        var values = document.RootElement.GetProperty("Values");

        Assert.Equal(ProcessTransactionsFunction.FunctionName, values.GetProperty("AzureFunctionsJobHost__functions__0").GetString());
        Assert.False(values.TryGetProperty("AzureFunctionsJobHost__functions__1", out _));
        Assert.Equal("none", values.GetProperty(SettingNames.KafkaSaslMechanism).GetString());
        Assert.Equal("disable", values.GetProperty(SettingNames.KafkaTls).GetString());
        Assert.Equal(string.Empty, values.GetProperty(SettingNames.KafkaSaslUsername).GetString());
        Assert.Equal(string.Empty, values.GetProperty(SettingNames.KafkaSaslPassword).GetString());
    }

    [Fact]
    public void Host_json_never_skips_a_failed_batch()
    {
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppOutput(), "host.json")));
        var kafka = host.RootElement.GetProperty("extensions").GetProperty("kafka");

        Assert.False(kafka.GetProperty("CommitOnFailure").GetBoolean());
        Assert.Equal(-1, kafka.GetProperty("MaxRetries").GetInt32());
        Assert.InRange(kafka.GetProperty("maxBatchSize").GetInt32(), 64, 5000);
        var sampling = host.RootElement.GetProperty("logging").GetProperty("applicationInsights").GetProperty("samplingSettings");
        Assert.Contains("Exception", sampling.GetProperty("excludedTypes").GetString()!.Split(';'));
    }

    [Fact]
    public void Host_json_sets_only_options_the_pinned_host_extension_has()
    {
        // The host binds extensions.kafka to KafkaOptions by name (any case) and ignores a name it does not know.
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppOutput(), "host.json")));
        var known = KafkaBindingShimContractTests.LoadStatement().GetProperty("hostOptions").GetProperty("names")
            .EnumerateArray().Select(n => n.GetString()!).ToHashSet(StringComparer.OrdinalIgnoreCase);

        Assert.All(host.RootElement.GetProperty("extensions").GetProperty("kafka").EnumerateObject(),
            option => Assert.Contains(option.Name, known));
    }

    [Fact]
    public void A_single_retry_wait_never_costs_the_consumer_its_partitions()
    {
        // While the host waits to retry a batch, the extension does not poll; past MaxPollIntervalMs the consumer is
        // dropped from the group. The longest wait must stay far below it (README, "Azure Functions host").
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppOutput(), "host.json")));
        var maxPoll = TimeSpan.FromMilliseconds(host.RootElement.GetProperty("extensions").GetProperty("kafka")
            .GetProperty("MaxPollIntervalMs").GetInt32());
        var longestWait = TimeSpan.Parse(Function(ProcessTransactionsFunction.FunctionName).GetProperty("retry")
            .GetProperty("maximumInterval").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(TimeSpan.FromMinutes(15), maxPoll);
        Assert.True(maxPoll >= 10 * longestWait, $"MaxPollIntervalMs {maxPoll} against a longest retry wait of {longestWait}");
    }

    [Fact]
    public void The_watermark_trust_window_stays_below_the_consumers_session_timeout()
    {
        // A partition a crashed instance wrote comes back only after its session timed out, so a trust window below it
        // never trusts across such a move (docs/exactly-once.md, "The Functions host"). Unset in host.json, the pinned
        // host extension's default applies: KafkaOptions.SessionTimeoutMs = 10000
        // (Azure/azure-functions-kafka-extension@0021f340d0d3ff0fa3624f3d35b75ededbe4672b, Config/KafkaOptions.cs).
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppOutput(), "host.json")));
        var kafka = host.RootElement.GetProperty("extensions").GetProperty("kafka");
        var set = kafka.EnumerateObject().SingleOrDefault(o => string.Equals(o.Name, "SessionTimeoutMs", StringComparison.OrdinalIgnoreCase));
        var session = TimeSpan.FromMilliseconds(set.Value.ValueKind == JsonValueKind.Number ? set.Value.GetInt32() : 10_000);

        Assert.True(Ecommerce.Pipeline.BigQuery.StorageWrite.StorageWriteOptions.DefaultWatermarkTrust * 2 <= session,
            $"trust window {Ecommerce.Pipeline.BigQuery.StorageWrite.StorageWriteOptions.DefaultWatermarkTrust} against a session timeout of {session}");
    }

    // The SDK writes binding properties in camelCase; match without case so a casing change reads as a value change.
    private static string? Property(JsonElement binding, string name) =>
        binding.EnumerateObject().Single(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Value.GetString();

    private static string? OptionalProperty(JsonElement binding, string name) =>
        binding.EnumerateObject().SingleOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) is { Value.ValueKind: JsonValueKind.String } p
            ? p.Value.GetString()
            : null;

    private static JsonElement Function(string name) => Functions.Single(f => f.GetProperty("name").GetString() == name);

    private static string AppOutput() => FunctionsApp.Output();

    private static List<JsonElement> LoadFunctions()
    {
        var path = Path.Combine(AppOutput(), "functions.metadata");
        Assert.True(File.Exists(path), $"the Worker SDK wrote no {path}");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return [.. document.RootElement.EnumerateArray().Select(f => f.Clone())];
    }
}
