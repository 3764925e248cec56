using System.Text.Json.Nodes;

namespace Ecommerce.Pipeline.Deploy.Tests;

/// <summary>The deployment artefacts: every YAML document under infra/k8s and keda/, and typed views of the main ones.</summary>
internal static class Manifests
{
    public const string KustomizeApi = "kustomize.config.k8s.io/v1beta1";
    public const string StrimziApi = "kafka.strimzi.io/v1";
    public const string Overlays = "infra/k8s/overlays";

    public static IEnumerable<string> K8sFiles => YamlFiles("infra", "k8s");

    public static IEnumerable<string> KedaFiles => YamlFiles("keda");

    public static IReadOnlyList<YamlDocument> All => [.. K8sFiles.Concat(KedaFiles).SelectMany(Yaml.LoadFile)];

    public static IEnumerable<string> OverlayNames =>
        Directory.GetDirectories(Repo.File("infra", "k8s", "overlays")).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);

    public static YamlDocument ScaledObject => Single(Repo.File("keda", "scaledobject.yaml"), "ScaledObject");

    public static YamlDocument TriggerAuthentication => Single(Repo.File("keda", "triggerauthentication.yaml"), "TriggerAuthentication");

    public static YamlDocument Deployment => Single(Repo.File("infra", "k8s", "base", "deployment.yaml"), "Deployment");

    public static YamlDocument BaseConfigMap => Single(Repo.File("infra", "k8s", "base", "configmap.yaml"), "ConfigMap");

    public static YamlDocument SecretTemplate => Single(Repo.File("infra", "k8s", "base", "secret.template.yaml"), "Secret");

    public static JsonObject KafkaTrigger =>
        ScaledObject.Json["spec"]!["triggers"]!.AsArray().Single(t => (string?)t!["type"] == "kafka")!["metadata"]!.AsObject();

    public static JsonObject FunctionsContainer => Deployment.Json["spec"]!["template"]!["spec"]!["containers"]!.AsArray()
        .Single(c => (string?)c!["name"] == (string?)ScaledObject.Json["spec"]!["scaleTargetRef"]!["envSourceContainerName"])!
        .AsObject();

    public static JsonObject Kustomization(string directory) =>
        Yaml.LoadFile(Path.Combine(directory, "kustomization.yaml")).Single().Json;

    /// <summary>The ConfigMap data an overlay produces: the base's, with the overlay's ConfigMap patch laid over it.</summary>
    public static Dictionary<string, string> ConfigMapData(string overlay)
    {
        var data = StringMap(BaseConfigMap.Json["data"]);
        foreach (var patch in PatchDocuments(overlay).Where(d => d.Kind == "ConfigMap" && d.Name == BaseConfigMap.Name))
        {
            foreach (var (key, value) in StringMap(patch.Json["data"]))
            {
                data[key] = value;
            }
        }

        return data;
    }

    public static IEnumerable<YamlDocument> PatchDocuments(string overlay)
    {
        var dir = Repo.File("infra", "k8s", "overlays", overlay);
        foreach (var patch in Kustomization(dir)["patches"]?.AsArray() ?? [])
        {
            foreach (var doc in Yaml.LoadFile(Path.Combine(dir, (string)patch!["path"]!)))
            {
                yield return doc;
            }
        }
    }

    public static Dictionary<string, string> StringMap(JsonNode? node) =>
        node?.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value is null ? string.Empty : kv.Value.ToString(), StringComparer.Ordinal)
        ?? new Dictionary<string, string>(StringComparer.Ordinal);

    private static YamlDocument Single(string path, string kind) => Yaml.LoadFile(path).Single(d => d.Kind == kind);

    private static IEnumerable<string> YamlFiles(params string[] folder) =>
        Directory.EnumerateFiles(Repo.File(folder), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
}
