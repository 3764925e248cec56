using k8s;
using k8s.Models;

namespace Ecommerce.Pipeline.Deploy.Tests;

/// <summary>
/// Every Kubernetes object under infra/k8s (base, overlays' patches, the template) loads with KubernetesClient's
/// typed models in strict mode: a field the model does not have is an error, as it would be for
/// <c>kubectl apply --validate=strict</c>. Kustomizations and Strimzi resources have no model here and are checked
/// by <see cref="KustomizeTests"/> and <see cref="CrossCheckTests"/>.
/// </summary>
public sealed class KubernetesManifestTests
{
    public static TheoryData<string> KubernetesDocuments()
    {
        var data = new TheoryData<string>();
        foreach (var doc in Manifests.K8sFiles.SelectMany(Yaml.LoadFile).Where(IsCoreKubernetes))
        {
            data.Add($"{Repo.Relative(doc.File)}#{doc.Index}");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(KubernetesDocuments))]
    public void Manifest_loads_strictly_as_its_typed_model(string id)
    {
        var doc = Find(id);
        var loaded = LoadStrict(doc.Text);

        var typed = Assert.IsAssignableFrom<IKubernetesObject<V1ObjectMeta>>(Assert.Single(loaded));
        Assert.Equal(doc.Kind, typed.Kind);
        Assert.Equal(doc.ApiVersion, typed.ApiVersion);
        Assert.Equal(doc.Name, typed.Metadata.Name);
    }

    [Fact]
    public void There_is_something_to_check_of_every_kind_the_issue_asks_for()
    {
        var kinds = Manifests.K8sFiles.SelectMany(Yaml.LoadFile).Where(IsCoreKubernetes).Select(d => d.Kind).ToHashSet();

        Assert.Superset(
            new HashSet<string?>
            {
                "Namespace", "ServiceAccount", "ConfigMap", "Secret", "Deployment", "Service", "PodDisruptionBudget",
                "NetworkPolicy",
            },
            kinds);
    }

    [Fact]
    public void Strict_loading_rejects_a_misspelled_field()
    {
        var text = Manifests.Deployment.Text.Replace(
            "terminationGracePeriodSeconds:", "terminationGracePeriodSecond:", StringComparison.Ordinal);
        Assert.NotEqual(Manifests.Deployment.Text, text);

        Assert.ThrowsAny<Exception>(() => LoadStrict(text));
        // It is the strictness that catches it: the lenient loader silently drops the field.
        var lenient = Assert.IsType<V1Deployment>(Assert.Single(KubernetesYaml.LoadAllFromString(text, null, strict: false)));
        Assert.Null(lenient.Spec.Template.Spec.TerminationGracePeriodSeconds);
    }

    [Fact]
    public void Strict_loading_rejects_a_field_at_the_wrong_level()
    {
        // readOnlyRootFilesystem belongs to the container's securityContext, not the pod's.
        const string pod = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: p
            spec:
              securityContext:
                readOnlyRootFilesystem: true
              containers:
                - name: c
                  image: busybox:1.36
            """;

        Assert.ThrowsAny<Exception>(() => LoadStrict(pod));
    }

    internal static List<object> LoadStrict(string text) => KubernetesYaml.LoadAllFromString(text, null, strict: true);

    internal static bool IsCoreKubernetes(YamlDocument doc) =>
        doc.ApiVersion is not (Manifests.KustomizeApi or Manifests.StrimziApi) && doc.Kind is not null;

    private static YamlDocument Find(string id)
    {
        var hash = id.LastIndexOf('#');
        var index = int.Parse(id[(hash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        return Yaml.LoadFile(Repo.File(id[..hash].Split('/'))).Single(d => d.Index == index);
    }
}
