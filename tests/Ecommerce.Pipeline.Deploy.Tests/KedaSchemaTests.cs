using System.Text.Json.Nodes;
using Ecommerce.Pipeline.TestSupport.Contracts;

namespace Ecommerce.Pipeline.Deploy.Tests;

/// <summary>
/// keda/ against the project's statement of KEDA's CRDs (v1alpha1, tests/contracts/keda), unknown fields treated as
/// errors.
/// </summary>
public sealed class KedaSchemaTests
{
    public const string ScaledObjectStatement = "keda/scaledobject.v1alpha1.json";
    public const string TriggerAuthenticationStatement = "keda/triggerauthentication.v1alpha1.json";

    private static readonly Lazy<CrdSchema> ScaledObjects =
        new(() => CrdSchema.FromStatement(UpstreamContracts.Statement(ScaledObjectStatement)));

    private static readonly Lazy<CrdSchema> TriggerAuthentications =
        new(() => CrdSchema.FromStatement(UpstreamContracts.Statement(TriggerAuthenticationStatement)));

    [Fact]
    public void ScaledObject_is_valid()
    {
        var doc = Manifests.ScaledObject;

        Assert.Equal("keda.sh/v1alpha1", doc.ApiVersion);
        Assert.Empty(ScaledObjects.Value.Validate(doc.Json));
    }

    [Fact]
    public void TriggerAuthentication_is_valid()
    {
        var doc = Manifests.TriggerAuthentication;

        Assert.Equal("keda.sh/v1alpha1", doc.ApiVersion);
        Assert.Empty(TriggerAuthentications.Value.Validate(doc.Json));
    }

    [Fact]
    public void Every_document_under_keda_is_one_of_the_two_and_valid()
    {
        var docs = Manifests.KedaFiles.SelectMany(Yaml.LoadFile).Where(d => d.ApiVersion != Manifests.KustomizeApi).ToList();

        Assert.Equal(["ScaledObject", "TriggerAuthentication"], docs.Select(d => d.Kind).Order(StringComparer.Ordinal));
        Assert.All(docs, d => Assert.Empty((d.Kind == "ScaledObject" ? ScaledObjects : TriggerAuthentications).Value.Validate(d.Json)));
    }

    [Theory]
    [InlineData("pollingInterval: 15", "pollingIntervall: 15")]
    [InlineData("stabilizationWindowSeconds: 0", "stabilisationWindowSeconds: 0")]
    [InlineData("envSourceContainerName: functions", "envSourceContainer: functions")]
    [InlineData("authenticationRef:", "authRef:")]
    public void A_misspelled_ScaledObject_field_is_rejected(string field, string misspelled)
    {
        var errors = ScaledObjects.Value.Validate(Mutate(Manifests.ScaledObject.Text, field, misspelled));

        // Rejected at the misspelled property itself, not somewhere else.
        var key = misspelled.Split(':')[0];
        Assert.Contains(errors, e => e.StartsWith('/') && e.Split(':')[0].EndsWith("/" + key, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("maxReplicaCount: 12", "maxReplicaCount: \"12\"")]
    [InlineData("minReplicaCount: 2", "minReplicaCount: two")]
    [InlineData("lagThreshold: \"5000\"", "lagThreshold: 5000")]
    [InlineData("value: 100", "value: 100%")]
    public void A_wrong_type_in_the_ScaledObject_is_rejected(string field, string wrong)
    {
        var errors = ScaledObjects.Value.Validate(Mutate(Manifests.ScaledObject.Text, field, wrong));

        var key = wrong.Split(':')[0];
        Assert.Contains(errors, e => e.Split(':')[0].EndsWith("/" + key, StringComparison.Ordinal));
    }

    [Fact]
    public void A_misspelled_or_mistyped_TriggerAuthentication_is_rejected()
    {
        var text = Manifests.TriggerAuthentication.Text;

        Assert.NotEmpty(TriggerAuthentications.Value.Validate(Mutate(text, "secretTargetRef:", "secretTargetRefs:")));
        Assert.NotEmpty(TriggerAuthentications.Value.Validate(Mutate(text, "parameter: sasl", "param: sasl")));
        Assert.NotEmpty(TriggerAuthentications.Value.Validate(Mutate(text, "key: KafkaTls", "key: [KafkaTls]")));
    }

    private static JsonObject Mutate(string text, string from, string to)
    {
        Assert.Contains(from, text, StringComparison.Ordinal);
        var index = text.IndexOf(from, StringComparison.Ordinal);
        return Yaml.Load(string.Concat(text.AsSpan(0, index), to, text.AsSpan(index + from.Length))).Single().Json;
    }
}
