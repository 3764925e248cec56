using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Ecommerce.Pipeline.Deploy.Tests;

/// <summary>
/// An <c>openAPIV3Schema</c> of a CustomResourceDefinition version, made strict: wherever it lists
/// <c>properties</c> without saying what to do with others (<c>additionalProperties</c> or
/// <c>x-kubernetes-preserve-unknown-fields</c>), others are errors. The API server would prune them silently, so a
/// misspelled field would simply vanish. The schema is the project's statement of the part of KEDA's CRD it relies
/// on (tests/contracts/keda); <see cref="KedaStatementDriftTests"/> compares it with the CRD itself.
/// </summary>
internal sealed class CrdSchema
{
    private static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.List };

    private readonly JsonSchema _schema;

    private CrdSchema(JsonObject openApi)
    {
        Tighten(openApi);
        _schema = JsonSchema.FromText(
            openApi.ToJsonString(),
            new BuildOptions { SchemaRegistry = new SchemaRegistry() },
            new Uri($"urn:crd:{Guid.NewGuid():N}"));
    }

    /// <summary>The statement's schema (a file of tests/contracts/keda, as copied next to the tests).</summary>
    public static CrdSchema FromStatement(string statementFile) =>
        new(ReadStatement(statementFile)["openAPIV3Schema"]!.DeepClone().AsObject());

    public static JsonObject ReadStatement(string statementFile) =>
        JsonNode.Parse(System.IO.File.ReadAllText(statementFile))!.AsObject();

    /// <summary>The CustomResourceDefinition of an upstream CRD file, as JSON.</summary>
    public static JsonObject ReadCrd(string crdFile) =>
        Yaml.LoadFile(crdFile).Single(d => d.Kind == "CustomResourceDefinition").Json;

    /// <summary>The <c>openAPIV3Schema</c> of one version of a CRD, or null when the CRD has no such version.</summary>
    public static JsonNode? VersionSchema(JsonObject crd, string version) =>
        crd["spec"]!["versions"]!.AsArray().SingleOrDefault(v => (string?)v!["name"] == version)?["schema"]?["openAPIV3Schema"];

    /// <summary>Errors as "instance location: message"; empty when the document is valid.</summary>
    public IReadOnlyList<string> Validate(JsonObject document)
    {
        using var json = JsonDocument.Parse(document.ToJsonString());
        var results = _schema.Evaluate(json.RootElement, Options);
        if (results.IsValid)
        {
            return [];
        }

        var errors = (results.Details ?? []).Prepend(results)
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))
            .ToList();
        return errors.Count > 0 ? errors : ["invalid (no detail)"];
    }

    // Kubernetes' x-kubernetes-* extensions are not JSON Schema keywords: read what they mean, then drop them.
    private static void Tighten(JsonNode? node, bool isPropertyMap = false)
    {
        switch (node)
        {
            case JsonObject obj:
                if (!isPropertyMap)
                {
                    if (obj["properties"] is JsonObject
                        && obj["additionalProperties"] is null
                        && obj["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() != true)
                    {
                        obj["additionalProperties"] = false;
                    }

                    foreach (var extension in obj.Select(kv => kv.Key).Where(k => k.StartsWith("x-kubernetes-", StringComparison.Ordinal)).ToList())
                    {
                        obj.Remove(extension);
                    }
                }

                foreach (var (key, child) in obj.ToList())
                {
                    Tighten(child, !isPropertyMap && key == "properties");
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Tighten(child);
                }

                break;
        }
    }
}
