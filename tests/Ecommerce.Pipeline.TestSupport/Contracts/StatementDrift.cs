using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ecommerce.Pipeline.TestSupport.Contracts;

/// <summary>
/// Compares a statement with the upstream document it states a subset of: every key the statement has must exist
/// upstream with the same value. Name maps (<c>properties</c>, <c>parameters</c>) may list fewer names than upstream;
/// <c>enum</c> may list fewer values; a <c>required</c> list must be upstream's exactly (a field that becomes required
/// upstream is drift the project must see). A node that states any of a field's facts must state all of the facts
/// upstream gives it (<see cref="Facts"/>): a statement that forgot a field's format or item type would otherwise
/// judge the project by a looser rule than the real service.
/// </summary>
public static class StatementDrift
{
    private static readonly HashSet<string> NameMaps = ["properties", "parameters"];

    /// <summary>What a field is: its type and the constraints on its values, as both document kinds spell them.</summary>
    private static readonly string[] Facts = ["type", "format", "$ref", "items", "enum", "required"];

    /// <summary>Every difference as "location: what"; empty when the statement holds upstream.</summary>
    public static List<string> Differences(JsonNode? stated, JsonNode? upstream, string at)
    {
        var differences = new List<string>();
        Compare(stated, upstream, at, differences);
        return differences;
    }

    private static void Compare(JsonNode? stated, JsonNode? upstream, string at, List<string> differences)
    {
        if (stated is not JsonObject statedObject)
        {
            if (!JsonNode.DeepEquals(stated, upstream))
            {
                differences.Add($"{at}: stated {Show(stated)}, upstream {Show(upstream)}");
            }

            return;
        }

        if (upstream is not JsonObject upstreamObject)
        {
            differences.Add($"{at}: stated an object, upstream {Show(upstream)}");
            return;
        }

        if (Facts.Any(statedObject.ContainsKey))
        {
            differences.AddRange(Facts.Where(f => upstreamObject.ContainsKey(f) && !statedObject.ContainsKey(f))
                .Select(f => $"{at}/{f}: upstream {Show(upstreamObject[f])}, not stated"));
        }

        foreach (var (key, value) in statedObject)
        {
            var path = $"{at}/{key}";
            if (!upstreamObject.TryGetPropertyValue(key, out var other))
            {
                differences.Add($"{path}: not upstream");
            }
            else if (NameMaps.Contains(key) && value is JsonObject names && other is JsonObject otherNames)
            {
                foreach (var (name, schema) in names)
                {
                    if (otherNames.TryGetPropertyValue(name, out var otherSchema))
                    {
                        Compare(schema, otherSchema, $"{path}/{name}", differences);
                    }
                    else
                    {
                        differences.Add($"{path}/{name}: not upstream");
                    }
                }
            }
            else if (key == "enum" && value is JsonArray values && other is JsonArray otherValues)
            {
                differences.AddRange(values.Where(v => !otherValues.Any(o => JsonNode.DeepEquals(v, o)))
                    .Select(v => $"{path}: {Show(v)} not upstream"));
            }
            else if (key == "required" && value is JsonArray required && other is JsonArray otherRequired)
            {
                var mine = required.Select(n => (string?)n).Order(StringComparer.Ordinal).ToList();
                var theirs = otherRequired.Select(n => (string?)n).Order(StringComparer.Ordinal).ToList();
                if (!mine.SequenceEqual(theirs))
                {
                    differences.Add($"{path}: stated [{string.Join(", ", mine)}], upstream [{string.Join(", ", theirs)}]");
                }

                // A required field the statement does not describe would be accepted with any value.
                differences.AddRange(mine.Where(n => statedObject["properties"] is not JsonObject p || !p.ContainsKey(n!))
                    .Select(n => $"{path}: '{n}' is required but not a stated property"));
            }
            else
            {
                Compare(value, other, path, differences);
            }
        }
    }

    private static string Show(JsonNode? node) => node is null ? "nothing" : node.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}
