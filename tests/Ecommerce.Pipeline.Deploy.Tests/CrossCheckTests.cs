using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ecommerce.Pipeline.Core.Configuration;

namespace Ecommerce.Pipeline.Deploy.Tests;

/// <summary>
/// The names and numbers that must agree across the app (functions.metadata, local.settings.sample.json, host.json),
/// docs/contract.md, the Kubernetes manifests, the ScaledObject and the dashboard.
/// </summary>
public sealed partial class CrossCheckTests
{
    private static readonly string[] TriggerProperties = ["brokerList", "topic", "consumerGroup"];

    public static TheoryData<string> Overlays() => [.. Manifests.OverlayNames];

    [Fact]
    public void The_built_functions_metadata_binds_the_contract_settings()
    {
        var binding = KafkaBinding();

        Assert.Equal("kafkaTrigger", (string?)binding["type"]);
        Assert.Equal($"%{SettingNames.KafkaBrokerList}%", (string?)binding["brokerList"]);
        Assert.Equal($"%{SettingNames.TransactionsTopic}%", (string?)binding["topic"]);
        Assert.Equal($"%{SettingNames.ConsumerGroup}%", (string?)binding["consumerGroup"]);
    }

    [Fact]
    public void Local_settings_sample_has_every_setting_the_trigger_names_with_the_ScaledObject_values()
    {
        var values = Manifests.StringMap(Repo.ReadJson("local.settings.sample.json")["Values"]);

        foreach (var setting in TriggerSettings())
        {
            Assert.True(values.ContainsKey(setting), $"local.settings.sample.json lacks {setting}");
        }

        Assert.Equal(TriggerValue("topic"), values[SettingNames.TransactionsTopic]);
        Assert.Equal(TriggerValue("consumerGroup"), values[SettingNames.ConsumerGroup]);
    }

    [Fact]
    public void Contract_names_the_same_topic_and_consumer_group()
    {
        var contract = ReadContract();

        Assert.Equal(TriggerValue("topic"), ContractDefault(contract, SettingNames.TransactionsTopic));
        Assert.Equal(TriggerValue("consumerGroup"), ContractDefault(contract, SettingNames.ConsumerGroup));
        Assert.Equal(Defaults.TransactionsTopic, TriggerValue("topic"));
        Assert.Equal(Defaults.ConsumerGroup, TriggerValue("consumerGroup"));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_ConfigMap_of_each_overlay_holds_contract_settings_that_agree_with_the_ScaledObject(string overlay)
    {
        var data = Manifests.ConfigMapData(overlay);
        var contract = ReadContract();

        Assert.All(data.Keys, key =>
        {
            Assert.Contains(key, SettingNames.All);
            Assert.Contains($"`{key}`", contract, StringComparison.Ordinal);
        });
        Assert.Superset(
            new HashSet<string>
            {
                SettingNames.KafkaBrokerList, SettingNames.TransactionsTopic, SettingNames.DeadLetterTopic,
                SettingNames.ConsumerGroup, SettingNames.Sink, SettingNames.BigQueryProjectId,
                SettingNames.BigQueryDatasetId, SettingNames.BigQueryTableId,
            },
            data.Keys.ToHashSet());
        Assert.Superset(TriggerSettings().ToHashSet(), data.Keys.ToHashSet());
        Assert.Equal(TriggerValue("topic"), data[SettingNames.TransactionsTopic]);
        Assert.Equal(TriggerValue("consumerGroup"), data[SettingNames.ConsumerGroup]);
        Assert.Equal(Defaults.DeadLetterTopic, data[SettingNames.DeadLetterTopic]);
        Assert.Equal("bigquery", data[SettingNames.Sink]);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void KEDA_gets_a_real_broker_address_in_each_overlay(string overlay)
    {
        var trigger = Manifests.KafkaTrigger;
        var addresses = new List<string>();
        if (trigger["bootstrapServers"] is { } literal)
        {
            addresses.Add((string)literal!);
        }

        if (trigger["bootstrapServersFromEnv"] is { } fromEnv)
        {
            // KEDA resolves the variable from the target container's env and envFrom: it must be one the container
            // really gets, from the ConfigMap this overlay produces.
            var variable = (string)fromEnv!;
            var container = Manifests.FunctionsContainer;
            Assert.Contains(container["envFrom"]!.AsArray(), e => (string?)e!["configMapRef"]?["name"] == Manifests.BaseConfigMap.Name);
            Assert.True(Manifests.ConfigMapData(overlay).TryGetValue(variable, out var address), $"{variable} is not in the ConfigMap");
            addresses.Add(address!);
        }

        Assert.Single(addresses);
        Assert.True(IsBrokerList(addresses[0]), $"'{addresses[0]}' is not a host:port list");
    }

    [Theory]
    [InlineData("pipeline-kafka-kafka-bootstrap.kafka.svc:9092", true)]
    [InlineData("b-1.example.com:9092,b-2.example.com:9093", true)]
    [InlineData("10.0.0.7:9092", true)]
    [InlineData("KafkaBrokerList", false)]
    [InlineData("%KafkaBrokerList%", false)]
    [InlineData("kafka:port", false)]
    [InlineData("", false)]
    public void The_broker_list_check_tells_an_address_from_a_setting_name(string value, bool expected)
    {
        Assert.Equal(expected, IsBrokerList(value));
    }

    [Fact]
    public void The_ScaledObject_starts_where_the_app_starts_when_no_offset_is_committed()
    {
        var autoOffsetReset = (string?)Repo.ReadJson("functions", "Ecommerce.Pipeline.Functions", "host.json")["extensions"]!["kafka"]!["autoOffsetReset"];

        Assert.NotNull(autoOffsetReset);
        Assert.Equal(autoOffsetReset.ToLowerInvariant(), TriggerValue("offsetResetPolicy"));
    }

    [Fact]
    public void The_ScaledObject_targets_the_Deployment_and_its_TriggerAuthentication()
    {
        var spec = Manifests.ScaledObject.Json["spec"]!;
        var target = spec["scaleTargetRef"]!;
        var baseNamespace = (string?)Manifests.Kustomization(Repo.File("infra", "k8s", "base"))["namespace"];

        Assert.Equal("pipeline-processor", Manifests.ScaledObject.Name);
        Assert.Equal(Manifests.Deployment.Name, (string?)target["name"]);
        Assert.Equal("Deployment", (string?)target["kind"]);
        Assert.Equal(baseNamespace, (string?)Manifests.ScaledObject.Json["metadata"]!["namespace"]);
        Assert.Equal(baseNamespace, (string?)Manifests.TriggerAuthentication.Json["metadata"]!["namespace"]);
        Assert.NotNull(Manifests.FunctionsContainer);
        var auth = spec["triggers"]!.AsArray().Single()!["authenticationRef"]!;
        Assert.Equal(Manifests.TriggerAuthentication.Name, (string?)auth["name"]);
    }

    [Fact]
    public void MaxReplicaCount_does_not_exceed_the_declared_partition_count()
    {
        var spec = Manifests.ScaledObject.Json["spec"]!;
        var max = (long)spec["maxReplicaCount"]!;
        var min = (long)spec["minReplicaCount"]!;

        Assert.InRange(min, 1, max);
        Assert.True(max <= DeclaredPartitions(), $"maxReplicaCount {max} > {DeclaredPartitions()} partitions");
        Assert.NotEqual("true", (string?)Manifests.KafkaTrigger["allowIdleConsumers"]);
    }

    [Fact]
    public void The_docs_create_the_managed_topic_with_the_declared_partition_count()
    {
        var lines = Repo.Read("docs", "deploy.md").Split('\n').Where(l => l.Contains("topics create transactions_stream", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.Contains($"--partitions={DeclaredPartitions()}", l, StringComparison.Ordinal));
    }

    [Fact]
    public void The_ScaledObject_sets_the_thresholds_and_behaviour_the_issue_asks_for()
    {
        var spec = Manifests.ScaledObject.Json["spec"]!;
        var trigger = Manifests.KafkaTrigger;
        var behavior = spec["advanced"]!["horizontalPodAutoscalerConfig"]!["behavior"]!;

        Assert.True(long.Parse((string)trigger["lagThreshold"]!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.NotNull((string?)trigger["activationLagThreshold"]);
        Assert.NotNull(spec["pollingInterval"]);
        Assert.NotNull(spec["cooldownPeriod"]);
        Assert.Equal(0, (long)behavior["scaleUp"]!["stabilizationWindowSeconds"]!);
        Assert.True((long)behavior["scaleDown"]!["stabilizationWindowSeconds"]! >= 60);
    }

    [Fact]
    public void The_documented_lagThreshold_arithmetic_gives_the_configured_value()
    {
        var docs = Repo.Read("docs", "deploy.md");
        var threshold = (string)Manifests.KafkaTrigger["lagThreshold"]!;
        var formula = LagFormula().Match(docs);

        Assert.True(formula.Success, "docs/deploy.md lacks 'lagThreshold = 10,000 × S s = N'");
        Assert.Equal(
            double.Parse(threshold, System.Globalization.CultureInfo.InvariantCulture),
            10_000 * double.Parse(formula.Groups["s"].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(threshold, formula.Groups["n"].Value.Replace(",", string.Empty, StringComparison.Ordinal));
    }

    [Fact]
    public void The_dashboard_draws_the_ScaledObjects_lagThreshold()
    {
        var variable = Repo.ReadJson("infra", "monitoring", "grafana", "dashboards", "pipeline-autoscaling.json")["templating"]!["list"]!
            .AsArray().Single(v => (string?)v!["name"] == "lag_threshold")!;
        var threshold = (string)Manifests.KafkaTrigger["lagThreshold"]!;

        Assert.Equal(threshold, (string?)variable["query"]);
        Assert.Equal(threshold, (string?)variable["current"]!["value"]);
    }

    [Fact]
    public void No_Secret_carries_data()
    {
        var secrets = Manifests.All.Where(d => d.Kind == "Secret").ToList();

        Assert.NotEmpty(secrets);
        Assert.All(secrets, s =>
        {
            Assert.True(s.Json["data"] is null || s.Json["data"]!.AsObject().Count == 0, $"{s} has data");
            Assert.True(s.Json["stringData"] is null || s.Json["stringData"]!.AsObject().Count == 0, $"{s} has stringData");
        });
        // Nor does kustomize generate one from files that could end up in git.
        Assert.All(KustomizeTests.Kustomizations(), k => Assert.Null(Manifests.Kustomization(k)["secretGenerator"]));
    }

    [Fact]
    public void The_Secret_keys_the_manifests_use_are_the_template_keys_and_the_docs_create_them_all()
    {
        var template = Manifests.SecretTemplate;
        var keys = ((string)template.Json["metadata"]!["annotations"]!["ecommerce-pipeline/keys"]!).Split(',').ToHashSet(StringComparer.Ordinal);
        var referenced = Manifests.TriggerAuthentication.Json["spec"]!["secretTargetRef"]!.AsArray().ToList();
        var docs = Repo.Read("docs", "deploy.md");

        Assert.Equal("pipeline-secrets", template.Name);
        Assert.Contains(SettingNames.ApplicationInsightsConnectionString, keys);
        Assert.All(referenced, r =>
        {
            Assert.Equal(template.Name, (string?)r!["name"]);
            Assert.Contains((string)r["key"]!, keys);
        });
        Assert.Contains(Manifests.FunctionsContainer["envFrom"]!.AsArray(), e => (string?)e!["secretRef"]?["name"] == template.Name);
        Assert.Contains($"kubectl create secret generic {template.Name}", docs, StringComparison.Ordinal);
        Assert.All(keys, k => Assert.Contains($"--from-literal={k}=", docs, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_container_and_pod_is_locked_down()
    {
        var deployments = Manifests.K8sFiles.SelectMany(Yaml.LoadFile).Where(d => d.Kind is "Deployment").ToList();
        var whole = Manifests.Deployment;

        Assert.Contains(whole, deployments);
        var pod = whole.Json["spec"]!["template"]!["spec"]!;
        Assert.True((bool)pod["securityContext"]!["runAsNonRoot"]!);
        Assert.Equal("RuntimeDefault", (string?)pod["securityContext"]!["seccompProfile"]!["type"]);
        foreach (var container in AllContainers(whole))
        {
            AssertLockedDown(container);
        }

        // Patches may refine a container but must not weaken what they set.
        foreach (var container in deployments.Where(d => d != whole).SelectMany(AllContainers))
        {
            if (container["securityContext"] is not null)
            {
                AssertLockedDown(container);
            }
        }
    }

    [Fact]
    public void The_pod_outlives_the_workers_graceful_stop_and_runs_the_one_function()
    {
        var deployments = Manifests.K8sFiles.SelectMany(Yaml.LoadFile).Where(d => d.Kind is "Deployment").ToList();
        var env = Manifests.FunctionsContainer["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => (string?)e!["value"]);
        var function = (string)KafkaFunction()["name"]!;

        Assert.All(deployments, d =>
        {
            if (d.Json["spec"]?["template"]?["spec"]?["terminationGracePeriodSeconds"] is { } grace)
            {
                Assert.True((long)grace > 60, $"{d}: terminationGracePeriodSeconds {grace} <= 60");
            }
        });
        Assert.NotNull(Manifests.Deployment.Json["spec"]!["template"]!["spec"]!["terminationGracePeriodSeconds"]);
        Assert.Equal(function, env["AzureFunctionsJobHost__functions__0"]);
        Assert.Equal("dotnet-isolated", env["FUNCTIONS_WORKER_RUNTIME"]);
    }

    [Fact]
    public void One_vCPU_is_requested_as_the_scaling_arithmetic_assumes()
    {
        Assert.Equal("1", (string?)Manifests.FunctionsContainer["resources"]!["requests"]!["cpu"]);
        Assert.NotNull(Manifests.FunctionsContainer["resources"]!["limits"]!["memory"]);
        var prod = Manifests.PatchDocuments("prod").Where(d => d.Kind == "Deployment").SelectMany(AllContainers);
        Assert.All(prod, c => Assert.Equal("1", (string?)c["resources"]?["requests"]?["cpu"] ?? "1"));
    }

    [Fact]
    public void Probes_and_metrics_scraping_point_at_ports_the_container_has()
    {
        var container = Manifests.FunctionsContainer;
        var ports = container["ports"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => (long)p!["containerPort"]!);
        var annotations = Manifests.Deployment.Json["spec"]!["template"]!["metadata"]!["annotations"]!;
        var service = Manifests.K8sFiles.SelectMany(Yaml.LoadFile).Single(d => d.Kind == "Service");

        Assert.Equal(Defaults.MetricsPort, ports["metrics"]);
        Assert.Equal(8080, ports["http"]);
        foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
        {
            var get = container[probe]!["httpGet"]!;
            Assert.Contains((string)get["port"]!, ports.Keys);
        }

        Assert.Equal("/metrics", (string?)container["readinessProbe"]!["httpGet"]!["path"]);
        Assert.Equal(Defaults.MetricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)annotations["prometheus.io/port"]);
        var servicePort = service.Json["spec"]!["ports"]!.AsArray().Single()!;
        Assert.Equal("metrics", (string?)servicePort["name"]);
        Assert.Equal(Defaults.MetricsPort, (long)servicePort["port"]!);
        Assert.Equal("metrics", (string?)servicePort["targetPort"]);
        Assert.Equal(
            Manifests.Deployment.Json["spec"]!["selector"]!["matchLabels"]!.ToJsonString(),
            service.Json["spec"]!["selector"]!.ToJsonString());
    }

    [Fact]
    public void The_images_in_the_manifests_are_the_ones_the_docs_build()
    {
        var functionsImage = (string)Manifests.FunctionsContainer["image"]!;
        var repository = functionsImage[..functionsImage.LastIndexOf(':')];

        Assert.Equal("REGION-docker.pkg.dev/PROJECT_ID/ecommerce/pipeline-functions", repository);
        foreach (var text in new[] { Repo.Read("docs", "deploy.md"), Repo.Read("infra", "docker", "README.md") })
        {
            // The docs write the shell variables; the manifests the placeholders they stand for.
            var doc = text.Replace("${REGION}", "REGION", StringComparison.Ordinal).Replace("${PROJECT_ID}", "PROJECT_ID", StringComparison.Ordinal);
            Assert.Matches($@"docker build -f infra/docker/Dockerfile --target functions\s+-t {Regex.Escape(repository)}:", doc);
            Assert.Matches(@"docker build -f infra/docker/Dockerfile --target cli\s+-t REGION-docker\.pkg\.dev/PROJECT_ID/ecommerce/pipeline-cli:", doc);
            Assert.Contains($"docker push {repository}:", doc, StringComparison.Ordinal);
        }

        foreach (var overlay in Manifests.OverlayNames)
        {
            var images = Manifests.Kustomization(Repo.File("infra", "k8s", "overlays", overlay))["images"]?.AsArray() ?? [];
            Assert.All(images, i => Assert.Equal(repository, (string?)i!["name"]));
        }
    }

    internal static bool IsBrokerList(string value) => BrokerList().IsMatch(value);

    private static void AssertLockedDown(JsonNode container)
    {
        var security = container["securityContext"];
        Assert.NotNull(security);
        Assert.True((bool)security["runAsNonRoot"]!);
        Assert.False((bool)security["allowPrivilegeEscalation"]!);
        Assert.True((bool)security["readOnlyRootFilesystem"]!);
        Assert.Equal(["ALL"], security["capabilities"]!["drop"]!.AsArray().Select(c => (string?)c));
        Assert.Null(security["capabilities"]!["add"]);
        Assert.Equal("RuntimeDefault", (string?)security["seccompProfile"]!["type"]);
        Assert.NotEqual(true, (bool?)security["privileged"]);
    }

    private static IEnumerable<JsonNode> AllContainers(YamlDocument deployment)
    {
        var pod = deployment.Json["spec"]?["template"]?["spec"];
        return (pod?["containers"]?.AsArray() ?? []).Concat(pod?["initContainers"]?.AsArray() ?? []).OfType<JsonNode>();
    }

    // The function the Deployment runs (AzureFunctionsJobHost__functions__0); the app has one per security mode.
    private static JsonNode KafkaFunction()
    {
        var name = DeployedFunctionName();
        var function = KafkaFunctions().SingleOrDefault(f => (string?)f["name"] == name);
        Assert.True(function is not null, $"the Deployment runs {name}, which is not a kafkaTrigger function in functions.metadata");
        return function;
    }

    internal static string DeployedFunctionName() =>
        Manifests.FunctionsContainer["env"]!.AsArray().Select(e => e!).Single(e => (string?)e["name"] == DeployedFunctionSetting)["value"]!
            .GetValue<string>();

    internal const string DeployedFunctionSetting = "AzureFunctionsJobHost__functions__0";

    internal static IReadOnlyList<JsonNode> KafkaFunctions()
    {
        var path = Repo.File("functions", "Ecommerce.Pipeline.Functions", "bin", "Release", "net10.0", "functions.metadata");
        Assert.True(System.IO.File.Exists(path), $"{path} is missing: build the tests in Release (they build the Functions project)");
        return [.. JsonNode.Parse(System.IO.File.ReadAllText(path))!.AsArray().Select(f => f!)
            .Where(f => f["bindings"]!.AsArray().Any(b => (string?)b!["type"] == "kafkaTrigger"))];
    }

    private static JsonNode KafkaBinding() =>
        KafkaFunction()["bindings"]!.AsArray().Single(b => (string?)b!["type"] == "kafkaTrigger")!;

    // %Name% of every setting the trigger binds.
    private static IEnumerable<string> TriggerSettings()
    {
        var binding = KafkaBinding();
        return TriggerProperties
            .Select(p => SettingReference().Match((string?)binding[p] ?? string.Empty))
            .Select(m => Assert.IsType<Match>(m).Success ? m.Groups["name"].Value : throw new InvalidOperationException("no %setting%"));
    }

    private static string TriggerValue(string name) => (string?)Manifests.KafkaTrigger[name]
        ?? throw new InvalidOperationException($"ScaledObject kafka trigger has no {name}");

    /// <summary>The repository's own contract, whose "Settings" section names every setting and its default.</summary>
    private static string ReadContract() => Repo.Read("docs", "contract.md");

    private static string ContractDefault(string contract, string setting)
    {
        var match = Regex.Match(contract, $@"`{Regex.Escape(setting)}` \(`(?<v>[^`]+)`\)");
        Assert.True(match.Success, $"docs/contract.md does not give {setting}'s value");
        return match.Groups["v"].Value;
    }

    private static long DeclaredPartitions()
    {
        var topic = Yaml.LoadFile(Repo.File("infra", "k8s", "kafka", "topics.yaml"))
            .Single(d => d.Kind == "KafkaTopic" && (string?)d.Json["spec"]!["topicName"] == TriggerValue("topic"));
        return (long)topic.Json["spec"]!["partitions"]!;
    }

    [GeneratedRegex(@"^%(?<name>[A-Za-z_][A-Za-z0-9_]*)%$", RegexOptions.CultureInvariant)]
    private static partial Regex SettingReference();

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9.\-]*[A-Za-z0-9])?:[0-9]{1,5}(,[A-Za-z0-9]([A-Za-z0-9.\-]*[A-Za-z0-9])?:[0-9]{1,5})*$", RegexOptions.CultureInvariant)]
    private static partial Regex BrokerList();

    [GeneratedRegex(@"lagThreshold = 10,000 × (?<s>[0-9.]+) s = (?<n>[0-9,]+)", RegexOptions.CultureInvariant)]
    private static partial Regex LagFormula();
}
