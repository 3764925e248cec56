using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ecommerce.Pipeline.Deploy.Tests;

/// <summary>One YAML document of a file, as JSON (what the API server would receive) and as its source text.</summary>
internal sealed record YamlDocument(string File, int Index, JsonObject Json, string Text)
{
    public string? ApiVersion => (string?)Json["apiVersion"];

    public string? Kind => (string?)Json["kind"];

    public string? Name => (string?)Json["metadata"]?["name"];

    public override string ToString() => $"{Repo.Relative(File)}#{Index} ({Kind} {Name})";

    // Identity is the place in the repository; two loads of the same document are equal.
    public bool Equals(YamlDocument? other) => other is not null && File == other.File && Index == other.Index;

    public override int GetHashCode() => HashCode.Combine(File, Index);
}

/// <summary>
/// YAML to JSON with YAML 1.2 core-schema typing: plain scalars that look like numbers, booleans or null become
/// those; quoted scalars stay strings. So <c>lagThreshold: 5000</c> is a number and <c>"5000"</c> a string, exactly
/// the difference a Kubernetes API server (and a CRD schema) sees.
/// </summary>
internal static partial class Yaml
{
    public static IReadOnlyList<YamlDocument> LoadFile(string path) => Load(System.IO.File.ReadAllText(path), path);

    public static IReadOnlyList<YamlDocument> Load(string text, string path = "<text>")
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var texts = SplitDocuments(text);
        var documents = new List<YamlDocument>();
        for (var i = 0; i < stream.Documents.Count; i++)
        {
            if (ToJson(stream.Documents[i].RootNode) is JsonObject json)
            {
                documents.Add(new YamlDocument(path, i, json, i < texts.Count ? texts[i] : text));
            }
        }

        return documents;
    }

    public static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, ToJson(kv.Value)))),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(ToJson)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new NotSupportedException($"YAML node {node.NodeType} at {node.Start}"),
    };

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? string.Empty;
        if (scalar.Style is not ScalarStyle.Plain)
        {
            return JsonValue.Create(value);
        }

        if (value is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (value is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
        {
            return JsonValue.Create(bool.Parse(value));
        }

        if (IntegerPattern().IsMatch(value))
        {
            return JsonValue.Create(long.Parse(value, CultureInfo.InvariantCulture));
        }

        return FloatPattern().IsMatch(value)
            ? JsonValue.Create(double.Parse(value, CultureInfo.InvariantCulture))
            : JsonValue.Create(value);
    }

    // Documents as text, for the typed loader (which reads one document per call).
    private static List<string> SplitDocuments(string text) =>
        [.. DocumentSeparator().Split(text).Where(part => part.Split('\n').Any(IsContentLine))];

    private static bool IsContentLine(string line)
    {
        var trimmed = line.Trim();
        return trimmed.Length > 0 && !trimmed.StartsWith('#');
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"^---[^\n]*$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex DocumentSeparator();
}
