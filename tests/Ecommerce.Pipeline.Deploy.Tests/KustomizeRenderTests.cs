using System.Diagnostics;

namespace Ecommerce.Pipeline.Deploy.Tests;

/// <summary>
/// Renders the overlays and keda/ with the real Kustomize (<c>kubectl kustomize</c>, part of this machine kind's
/// tools, no cluster needed) and checks what a cluster would receive.
/// </summary>
[Trait("Category", "Integration")]
public sealed class KustomizeRenderTests
{
    public static TheoryData<string> Overlays() => [.. Manifests.OverlayNames];

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_overlay_renders_strict_typed_objects_in_the_pipeline_namespace(string overlay)
    {
        var rendered = Render("infra", "k8s", "overlays", overlay);
        var docs = Yaml.Load(rendered);

        Assert.Equal(
            ["ConfigMap", "Deployment", "Namespace", "NetworkPolicy", "PodDisruptionBudget", "Service", "ServiceAccount"],
            docs.Select(d => d.Kind).Order(StringComparer.Ordinal));
        Assert.All(docs.Where(d => d.Kind != "Namespace"), d => Assert.Equal("pipeline", (string?)d.Json["metadata"]!["namespace"]));
        Assert.Equal(docs.Count, KubernetesManifestTests.LoadStrict(rendered).Count);
        Assert.DoesNotContain(docs, d => d.Kind == "Secret");
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_rendered_ConfigMap_and_image_are_what_the_other_tests_assume(string overlay)
    {
        var docs = Yaml.Load(Render("infra", "k8s", "overlays", overlay));
        var configMap = docs.Single(d => d.Kind == "ConfigMap");
        var deployment = docs.Single(d => d.Kind == "Deployment");
        var tag = (string?)Manifests.Kustomization(Repo.File("infra", "k8s", "overlays", overlay))["images"]!.AsArray().Single()!["newTag"];
        var container = deployment.Json["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Single()!;

        Assert.Equal(Manifests.ConfigMapData(overlay), Manifests.StringMap(configMap.Json["data"]));
        Assert.Equal($"REGION-docker.pkg.dev/PROJECT_ID/ecommerce/pipeline-functions:{tag}", (string?)container["image"]);
        // The patch kept the base's lock-down and probes.
        Assert.True((bool)container["securityContext"]!["readOnlyRootFilesystem"]!);
        Assert.NotNull(container["readinessProbe"]);
        Assert.Equal("pipeline", (string?)deployment.Json["spec"]!["template"]!["spec"]!["serviceAccountName"]);
    }

    [Fact]
    public void Keda_renders_the_ScaledObject_and_its_TriggerAuthentication()
    {
        var docs = Yaml.Load(Render("keda"));

        Assert.Equal(["ScaledObject", "TriggerAuthentication"], docs.Select(d => d.Kind).Order(StringComparer.Ordinal));
        // Kustomize reorders keys; the content must be untouched.
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(
            Manifests.ScaledObject.Json["spec"], docs.Single(d => d.Kind == "ScaledObject").Json["spec"]));
    }

    [Fact]
    public void Kafka_renders_the_cluster_and_topics_in_the_kafka_namespace()
    {
        var docs = Yaml.Load(Render("infra", "k8s", "kafka"));

        Assert.Equal(["Kafka", "KafkaNodePool", "KafkaTopic", "KafkaTopic"], docs.Select(d => d.Kind).Order(StringComparer.Ordinal));
        Assert.All(docs, d => Assert.Equal("kafka", (string?)d.Json["metadata"]!["namespace"]));
    }

    private static string Render(params string[] directory)
    {
        var start = new ProcessStartInfo("kubectl")
        {
            ArgumentList = { "kustomize", Repo.File(directory) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("kubectl is required for these tests (apt package kubectl, part of the machine's tools)", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "kubectl kustomize did not finish in 2 minutes");
            Assert.True(process.ExitCode == 0, $"kubectl kustomize {string.Join('/', directory)} failed: {stderr.Result}");
            return stdout.Result;
        }
    }
}
