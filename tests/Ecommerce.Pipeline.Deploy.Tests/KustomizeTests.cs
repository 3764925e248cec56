using System.Text.Json.Nodes;

namespace Ecommerce.Pipeline.Deploy.Tests;

/// <summary>The Kustomize tree is coherent without kubectl: everything a kustomization names exists.</summary>
public sealed class KustomizeTests
{
    public static IEnumerable<string> Kustomizations() =>
        Directory.EnumerateFiles(Repo.File("infra", "k8s"), "kustomization.yaml", SearchOption.AllDirectories)
            .Append(Repo.File("keda", "kustomization.yaml"))
            .Select(Path.GetDirectoryName).OfType<string>().Order(StringComparer.Ordinal);

    public static TheoryData<string> KustomizationDirectories() => [.. Kustomizations().Select(Repo.Relative)];

    [Theory]
    [MemberData(nameof(KustomizationDirectories))]
    public void Everything_a_kustomization_names_exists(string directory)
    {
        Assert.Empty(Missing(Repo.File(directory.Split('/'))));
    }

    [Fact]
    public void The_check_finds_a_missing_file()
    {
        var dir = Directory.CreateTempSubdirectory("kustomize-check");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "present.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
            File.WriteAllText(Path.Combine(dir.FullName, "kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - present.yaml
                  - absent.yaml
                  - ../no-such-base
                patches:
                  - path: no-such-patch.yaml
                """);

            Assert.Equal(3, Missing(dir.FullName).Count);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Each_overlay_builds_on_the_base_and_the_base_lists_every_object_file_but_the_template()
    {
        var baseDir = Repo.File("infra", "k8s", "base");
        var listed = Manifests.Kustomization(baseDir)["resources"]!.AsArray().Select(r => (string)r!).ToHashSet(StringComparer.Ordinal);
        var files = Directory.GetFiles(baseDir, "*.yaml").Select(Path.GetFileName).OfType<string>()
            .Where(f => f is not "kustomization.yaml" and not "secret.template.yaml").ToHashSet(StringComparer.Ordinal);

        Assert.Equal(files, listed);
        Assert.DoesNotContain("secret.template.yaml", listed);
        Assert.All(Manifests.OverlayNames, o =>
            Assert.Contains("../../base", Manifests.Kustomization(Repo.File("infra", "k8s", "overlays", o))["resources"]!.AsArray().Select(r => (string?)r)));
        Assert.Equal(["dev", "prod"], Manifests.OverlayNames);
    }

    [Fact]
    public void Overlay_patches_name_objects_the_base_defines()
    {
        var baseObjects = Manifests.K8sFiles.Where(f => f.Contains("/base/", StringComparison.Ordinal))
            .SelectMany(Yaml.LoadFile).Select(d => (d.Kind, d.Name)).ToHashSet();

        Assert.All(Manifests.OverlayNames.SelectMany(Manifests.PatchDocuments), p => Assert.Contains((p.Kind, p.Name), baseObjects));
    }

    internal static List<string> Missing(string directory)
    {
        var kustomization = Yaml.LoadFile(Path.Combine(directory, "kustomization.yaml")).Single().Json;
        var missing = new List<string>();
        foreach (var resource in kustomization["resources"]?.AsArray() ?? [])
        {
            var path = Path.GetFullPath(Path.Combine(directory, (string)resource!));
            var exists = Directory.Exists(path) ? File.Exists(Path.Combine(path, "kustomization.yaml")) : File.Exists(path);
            if (!exists)
            {
                missing.Add($"resources: {resource}");
            }
        }

        foreach (var patch in kustomization["patches"]?.AsArray() ?? [])
        {
            if (patch?["path"] is JsonNode path && !File.Exists(Path.Combine(directory, (string)path!)))
            {
                missing.Add($"patches: {path}");
            }
        }

        return missing;
    }
}
