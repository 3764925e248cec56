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
    private static readonly JsonElement Function = LoadSingleFunction();

    [Fact]
    public void The_app_has_one_function_named_ProcessTransactions_bound_to_the_class()
    {
        Assert.Equal(ProcessTransactionsFunction.FunctionName, Function.GetProperty("name").GetString());
        Assert.Equal("dotnet-isolated", Function.GetProperty("language").GetString());
        Assert.EndsWith($"{nameof(ProcessTransactionsFunction)}.{nameof(ProcessTransactionsFunction.RunAsync)}",
            Function.GetProperty("entryPoint").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Exactly_one_binding_a_batched_kafka_trigger_on_the_contract_settings()
    {
        var bindings = Function.GetProperty("bindings").EnumerateArray().ToList();

        var trigger = Assert.Single(bindings);
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

    [Fact]
    public void The_function_level_retry_is_exponential_and_unlimited()
    {
        var retry = Function.GetProperty("retry");

        Assert.Equal("exponentialBackoff", retry.GetProperty("strategy").GetString(), ignoreCase: true);
        Assert.Equal(-1, retry.GetProperty("maxRetryCount").GetInt32());
        Assert.Equal("00:00:01", retry.GetProperty("minimumInterval").GetString());
        Assert.Equal("00:05:00", retry.GetProperty("maximumInterval").GetString());
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

    // The SDK writes binding properties in camelCase; match without case so a casing change reads as a value change.
    private static string? Property(JsonElement binding, string name) =>
        binding.EnumerateObject().Single(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Value.GetString();

    private static string AppOutput() =>
        typeof(FunctionsMetadataTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "FunctionsAppOutput").Value!;

    private static JsonElement LoadSingleFunction()
    {
        var path = Path.Combine(AppOutput(), "functions.metadata");
        Assert.True(File.Exists(path), $"the Worker SDK wrote no {path}");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return Assert.Single(document.RootElement.EnumerateArray().ToList()).Clone();
    }
}
