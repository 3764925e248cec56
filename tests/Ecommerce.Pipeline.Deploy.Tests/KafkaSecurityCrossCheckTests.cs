using System.Text.Json.Nodes;
using Ecommerce.Pipeline.Core.Configuration;

namespace Ecommerce.Pipeline.Deploy.Tests;

/// <summary>
/// The app has one Kafka function per security mode and a deployment runs one of them; the Secret, KEDA, the app's
/// trigger, the local sample and the docs must name the same settings and the same pairing of mechanism and function.
/// </summary>
public sealed class KafkaSecurityCrossCheckTests
{
    private static readonly string[] SecuritySettings =
        [SettingNames.KafkaSaslMechanism, SettingNames.KafkaSaslUsername, SettingNames.KafkaSaslPassword, SettingNames.KafkaTls];

    [Fact]
    public void The_app_has_a_function_per_security_mode()
    {
        var modes = CrossCheckTests.KafkaFunctions().Select(f => (string)f["name"]!).Order(StringComparer.Ordinal);

        Assert.Equal(["ProcessTransactions", "ProcessTransactionsSaslPlain", "ProcessTransactionsSaslScram"], modes);
    }

    [Fact]
    public void The_Deployment_and_every_overlay_run_an_existing_function_on_the_plain_listener()
    {
        var names = CrossCheckTests.KafkaFunctions().Select(f => (string)f["name"]!).ToHashSet(StringComparer.Ordinal);
        var deployed = CrossCheckTests.DeployedFunctionName();

        Assert.Contains(deployed, names);
        Assert.Equal("ProcessTransactions", deployed);
        foreach (var overlay in Manifests.OverlayNames)
        {
            // An overlay may pick another function; whichever it names must exist. Both of ours stay on plaintext.
            var picked = Manifests.PatchDocuments(overlay).Where(d => d.Kind == "Deployment")
                .SelectMany(d => d.Json["spec"]?["template"]?["spec"]?["containers"]?.AsArray() ?? [])
                .SelectMany(c => c?["env"]?.AsArray() ?? [])
                .Where(e => (string?)e?["name"] == CrossCheckTests.DeployedFunctionSetting)
                .Select(e => (string?)e!["value"]);
            Assert.All(picked, p => Assert.Equal("ProcessTransactions", p));
        }
    }

    [Fact]
    public void Local_settings_sample_runs_one_existing_function_and_has_the_security_settings()
    {
        var values = Manifests.StringMap(Repo.ReadJson("local.settings.sample.json")["Values"]);
        var names = CrossCheckTests.KafkaFunctions().Select(f => (string)f["name"]!).ToHashSet(StringComparer.Ordinal);

        Assert.Contains(values[CrossCheckTests.DeployedFunctionSetting], names);
        Assert.DoesNotContain("AzureFunctionsJobHost__functions__1", values.Keys);
        Assert.All(SecuritySettings, s => Assert.Contains(s, values.Keys));
        Assert.Equal(string.Empty, values[SettingNames.KafkaSaslPassword]);
    }

    [Fact]
    public void The_SASL_functions_take_their_credentials_from_the_Secret_keys_KEDA_uses()
    {
        var template = Manifests.SecretTemplate;
        var keys = ((string)template.Json["metadata"]!["annotations"]!["ecommerce-pipeline/keys"]!).Split(',').ToHashSet(StringComparer.Ordinal);
        var kedaKeys = Manifests.TriggerAuthentication.Json["spec"]!["secretTargetRef"]!.AsArray()
            .ToDictionary(r => (string)r!["parameter"]!, r => (string)r!["key"]!);

        Assert.Superset(SecuritySettings.ToHashSet(StringComparer.Ordinal), keys);
        Assert.Equal(SettingNames.KafkaSaslMechanism, kedaKeys["sasl"]);
        Assert.Equal(SettingNames.KafkaSaslUsername, kedaKeys["username"]);
        Assert.Equal(SettingNames.KafkaSaslPassword, kedaKeys["password"]);
        Assert.Equal(SettingNames.KafkaTls, kedaKeys["tls"]);
        foreach (var binding in CrossCheckTests.KafkaFunctions().Select(Trigger).Where(b => b["authenticationMode"] is not null))
        {
            Assert.Equal($"%{SettingNames.KafkaSaslUsername}%", (string?)binding["username"]);
            Assert.Equal($"%{SettingNames.KafkaSaslPassword}%", (string?)binding["password"]);
        }

        // Credentials live only in the Secret.
        Assert.All(Manifests.OverlayNames, o => Assert.DoesNotContain(Manifests.ConfigMapData(o).Keys, k => SecuritySettings.Contains(k)));
    }

    [Fact]
    public void The_docs_pair_each_function_with_the_Secret_values_its_trigger_implies()
    {
        var docs = Repo.Read("docs", "deploy.md");

        Assert.DoesNotContain("does not take SASL settings yet", docs, StringComparison.Ordinal);
        foreach (var function in CrossCheckTests.KafkaFunctions())
        {
            var binding = Trigger(function);
            var (mechanism, tls) = ((string?)binding["protocol"], (string?)binding["authenticationMode"]) switch
            {
                (null, null) => ("none", "disable"),
                ("SaslSsl", "Plain") => ("plaintext", "enable"),
                ("SaslSsl", "ScramSha256") => ("scram_sha256", "enable"),
                ("SaslSsl", "ScramSha512") => ("scram_sha512", "enable"),
                var other => throw new InvalidOperationException($"no documented pairing for {other}"),
            };
            var row = $"| `{function["name"]}` | `{mechanism}` | `{tls}` |";
            Assert.True(docs.Contains(row, StringComparison.Ordinal), $"docs/deploy.md lacks the row {row}");
        }
    }

    private static JsonNode Trigger(JsonNode function) =>
        function["bindings"]!.AsArray().Single(b => (string?)b!["type"] == "kafkaTrigger")!;
}
