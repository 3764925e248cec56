using Ecommerce.Pipeline.Cli.Autoscaling;

namespace Ecommerce.Pipeline.Cli.Tests.Autoscaling;

public sealed class ScaledObjectReaderTests
{
    private const string Header = """
        apiVersion: keda.sh/v1alpha1
        kind: ScaledObject
        metadata:
          name: t
        spec:
          scaleTargetRef:
            name: pipeline-processor

        """;

    private static string WithTrigger(string specExtra = "", string metadataExtra = "") =>
        Header + specExtra + """
          triggers:
            - type: kafka
              metadata:
                bootstrapServers: kafka:9092
                consumerGroup: ecommerce-pipeline

        """ + metadataExtra;

    [Fact]
    public void Reads_every_field_of_the_full_fixture()
    {
        var so = ScaledObjectReader.Load(Scenario.Fixture("scaledobject-full.yaml"));

        Assert.Equal("fixture-processor", so.Name);
        Assert.Equal(10, so.PollingIntervalSeconds);
        Assert.Equal(120, so.CooldownPeriodSeconds);
        Assert.Equal(1, so.MinReplicaCount);
        Assert.Equal(12, so.MaxReplicaCount);
        Assert.Equal(new KafkaTriggerSettings(5_000, 100, AllowIdleConsumers: false, LimitToPartitionsWithLag: true, UseCachedMetrics: true), so.Kafka);
        Assert.Equal(
            new HpaScalingRules(0, SelectPolicy.Max,
                [new ScalingPolicy(ScalingPolicyType.Pods, 6, 15), new ScalingPolicy(ScalingPolicyType.Percent, 200, 15)], 0.1),
            so.Behavior.ScaleUp);
        Assert.Equal(
            new HpaScalingRules(120, SelectPolicy.Min, [new ScalingPolicy(ScalingPolicyType.Pods, 2, 60)], 0.05),
            so.Behavior.ScaleDown);
    }

    [Fact]
    public void A_minimal_scaled_object_takes_keda_and_kubernetes_defaults()
    {
        var so = ScaledObjectReader.Load(Scenario.Fixture("scaledobject-minimal.yaml"));

        Assert.Equal((30, 300, 0, 100), (so.PollingIntervalSeconds, so.CooldownPeriodSeconds, so.MinReplicaCount, so.MaxReplicaCount));
        Assert.Equal(new KafkaTriggerSettings(10, 0), so.Kafka);
        Assert.Equal(HpaBehavior.Default, so.Behavior);
        Assert.Equal(1, so.HpaMinReplicas);
    }

    [Fact]
    public void A_partial_behavior_keeps_the_defaults_of_the_fields_not_set()
    {
        var so = ScaledObjectReader.Parse(WithTrigger("""
              advanced:
                horizontalPodAutoscalerConfig:
                  behavior:
                    scaleDown:
                      stabilizationWindowSeconds: 60

            """));

        Assert.Equal(HpaScalingRules.DefaultScaleUp, so.Behavior.ScaleUp);
        Assert.Equal(HpaScalingRules.DefaultScaleDown with { StabilizationWindowSeconds = 60 }, so.Behavior.ScaleDown);
    }

    [Fact]
    public void A_missing_file_is_reported_as_such() =>
        Assert.Throws<FileNotFoundException>(() => ScaledObjectReader.Load(Path.Combine(AppContext.BaseDirectory, "no-such.yaml")));

    [Theory]
    [InlineData("lagThreshold: \"abc\"", "metadata.lagThreshold: 'abc' is not an integer")]
    [InlineData("lagThreshold: \"0\"", "metadata.lagThreshold: 0 must be positive")]
    [InlineData("activationLagThreshold: \"-1\"", "metadata.activationLagThreshold: -1 must be >= 0")]
    [InlineData("allowIdleConsumers: \"yes\"", "metadata.allowIdleConsumers: 'yes' is not a boolean")]
    public void Bad_trigger_metadata_names_the_field(string line, string expected)
    {
        var yaml = WithTrigger(metadataExtra: "        " + line + "\n");

        var error = Assert.Throws<ScaledObjectException>(() => ScaledObjectReader.Parse(yaml, "so.yaml"));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("so.yaml: ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("  minReplicaCount: 5\n  maxReplicaCount: 2\n", "minReplicaCount (5) is greater than spec.maxReplicaCount (2)")]
    [InlineData("  pollingInterval: often\n", "spec.pollingInterval: expected an integer")]
    [InlineData("  maxReplicaCount: 0\n", "spec.maxReplicaCount: 0 must be >= 1")]
    public void Bad_spec_values_name_the_field(string spec, string expected)
    {
        var error = Assert.Throws<ScaledObjectException>(() => ScaledObjectReader.Parse(WithTrigger(spec)));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_behavior_values_name_the_field()
    {
        var yaml = WithTrigger("""
              advanced:
                horizontalPodAutoscalerConfig:
                  behavior:
                    scaleUp:
                      policies:
                        - type: Replicas
                          value: 4
                          periodSeconds: 15

            """);

        var error = Assert.Throws<ScaledObjectException>(() => ScaledObjectReader.Parse(yaml));
        Assert.Contains("behavior.scaleUp.policies[0].type: 'Replicas' is not Pods or Percent", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_kafka_trigger_the_file_is_refused()
    {
        var yaml = Header + """
              triggers:
                - type: cpu
                  metadata:
                    value: "50"

            """;

        var error = Assert.Throws<ScaledObjectException>(() => ScaledObjectReader.Parse(yaml, "cpu.yaml"));
        Assert.Equal("cpu.yaml: spec.triggers has no trigger of type kafka", error.Message);
    }

    [Fact]
    public void Keda_refused_combinations_are_refused()
    {
        var yaml = WithTrigger(metadataExtra: "        allowIdleConsumers: \"true\"\n        limitToPartitionsWithLag: \"true\"\n");

        var error = Assert.Throws<ScaledObjectException>(() => ScaledObjectReader.Parse(yaml));
        Assert.Contains("allowIdleConsumers and limitToPartitionsWithLag cannot be set together", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_without_a_scaled_object_is_refused()
    {
        var error = Assert.Throws<ScaledObjectException>(() => ScaledObjectReader.Parse("kind: Deployment\n", "d.yaml"));
        Assert.Equal("d.yaml: no document of kind ScaledObject", error.Message);
    }

    /// <summary>The repository's own ScaledObject: it must exist, parse, and drive a sensible simulation.</summary>
    [Fact]
    public void The_repository_scaled_object_loads_and_simulates()
    {
        var path = Path.Combine(Scenario.RepoRoot(), "keda", "scaledobject.yaml");
        Assert.True(File.Exists(path), $"{path} is missing");

        var so = ScaledObjectReader.Load(path);
        Assert.Equal("pipeline-processor", so.Name);
        Assert.True(so.Kafka.AllowIdleConsumers || so.MaxReplicaCount <= 12, $"maxReplicaCount {so.MaxReplicaCount} > 12 partitions");

        var result = AutoscaleSimulation.Run(new SimulationOptions(so, Scenario.Profile("833:2m,20000:5m,833:5m"), 12, 10_000, 15_000));
        Assert.All(result.Samples, s => Assert.InRange(s.DesiredReplicas, so.MinReplicaCount, so.MaxReplicaCount));
        Assert.NotNull(result.Summary.DrainedAtMs);
    }
}
