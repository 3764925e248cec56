using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ecommerce.Pipeline.TestSupport.Contracts;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>
/// The project's statement of the part of Google's BigQuery v2 discovery document it relies on
/// (tests/contracts/bigquery, checked against the real document by <see cref="BigQueryStatementDriftTests"/>),
/// used as the judge of what goes on the wire: request bodies are validated against the method's request schema
/// (unknown properties are errors, int64 must be a JSON string holding an integer), paths are matched against the
/// method's path template. A property or method the statement does not list is an error until it is stated.
/// </summary>
internal sealed class DiscoveryDocument
{
    /// <summary>The statement, relative to tests/contracts.</summary>
    public const string StatementFile = "bigquery/bigquery-v2.statement.json";

    private static readonly Lazy<DiscoveryDocument> Instance = new(Load);

    private readonly JsonElement _schemas;
    private readonly List<(string Id, string HttpMethod, Regex Path, string? Request, string? Response)> _methods = [];
    private readonly Dictionary<string, HashSet<string>> _queryParameters = new(StringComparer.Ordinal);

    private DiscoveryDocument(JsonDocument document)
    {
        var root = document.RootElement;
        _schemas = root.GetProperty("schemas");
        ServicePath = root.GetProperty("servicePath").GetString()!;
        foreach (var method in root.GetProperty("methods").EnumerateObject())
        {
            var m = method.Value;
            var template = m.GetProperty("path").GetString()!;
            // {+projectId} etc.: one escaped segment each, as the client sends them.
            var parts = Regex.Split(template, @"\{\+?[A-Za-z]+\}").Select(Regex.Escape);
            var pattern = "^/" + Regex.Escape(ServicePath) + string.Join("[^/]+", parts) + "$";
            _methods.Add((method.Name, m.GetProperty("httpMethod").GetString()!,
                new Regex(pattern, RegexOptions.CultureInvariant),
                m.TryGetProperty("request", out var rq) ? rq.GetProperty("$ref").GetString() : null,
                m.TryGetProperty("response", out var rs) ? rs.GetProperty("$ref").GetString() : null));
            var query = new HashSet<string>(StringComparer.Ordinal);
            if (m.TryGetProperty("parameters", out var parameters))
            {
                foreach (var parameter in parameters.EnumerateObject())
                {
                    if (parameter.Value.TryGetProperty("location", out var location) && location.GetString() == "query")
                    {
                        query.Add(parameter.Name);
                    }
                }
            }

            _queryParameters[method.Name] = query;
        }
    }

    public static DiscoveryDocument Default => Instance.Value;

    public string ServicePath { get; }

    // The statement ships with the tests (copied next to this assembly), so it is always there.
    private static DiscoveryDocument Load() =>
        new(JsonDocument.Parse(File.ReadAllBytes(UpstreamContracts.Statement(StatementFile))));

    /// <summary>The method (e.g. <c>bigquery.tabledata.insertAll</c>) for an HTTP method and an absolute path.</summary>
    public (string Id, string? Request, string? Response)? Match(string httpMethod, string path)
    {
        foreach (var m in _methods)
        {
            if (m.HttpMethod == httpMethod && m.Path.IsMatch(path))
            {
                return (m.Id, m.Request, m.Response);
            }
        }

        return null;
    }

    /// <summary>The query-string parameter names a method declares (e.g. timeoutMs, location for jobs.getQueryResults).</summary>
    public IReadOnlySet<string> QueryParameters(string methodId) => _queryParameters[methodId];

    /// <summary>Every way <paramref name="value"/> breaks the named schema; empty when it conforms.</summary>
    public List<string> Validate(JsonElement value, string schemaName)
    {
        var errors = new List<string>();
        Validate(value, _schemas.GetProperty(schemaName), "$", errors);
        return errors;
    }

    private void Validate(JsonElement value, JsonElement schema, string at, List<string> errors)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            Validate(value, _schemas.GetProperty(reference.GetString()!), at, errors);
            return;
        }

        var type = schema.TryGetProperty("type", out var t) ? t.GetString() : "any";
        var format = schema.TryGetProperty("format", out var f) ? f.GetString() : null;
        if (schema.TryGetProperty("enum", out var values) && value.ValueKind == JsonValueKind.String
            && !values.EnumerateArray().Any(v => v.GetString() == value.GetString()))
        {
            errors.Add($"{at}: '{value.GetString()}' is not one of the stated values");
            return;
        }

        switch (type)
        {
            case "any":
                return;
            case "object" when value.ValueKind != JsonValueKind.Object:
            case "array" when value.ValueKind != JsonValueKind.Array:
            case "string" when value.ValueKind != JsonValueKind.String:
            case "boolean" when value.ValueKind is not (JsonValueKind.True or JsonValueKind.False):
            case "integer" or "number" when value.ValueKind != JsonValueKind.Number:
                errors.Add($"{at}: expected {type}, got {value.ValueKind}");
                return;
            case "object":
                var properties = schema.TryGetProperty("properties", out var p) ? p : default;
                var additional = schema.TryGetProperty("additionalProperties", out var a) ? a : default;
                foreach (var property in value.EnumerateObject())
                {
                    if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property.Name, out var ps))
                    {
                        Validate(property.Value, ps, $"{at}.{property.Name}", errors);
                    }
                    else if (additional.ValueKind == JsonValueKind.Object)
                    {
                        Validate(property.Value, additional, $"{at}.{property.Name}", errors);
                    }
                    else
                    {
                        errors.Add($"{at}: unknown property '{property.Name}'");
                    }
                }

                return;
            case "array":
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Validate(item, schema.GetProperty("items"), $"{at}[{i++}]", errors);
                }

                return;
            case "string" when format is "int64" && !long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _):
            case "string" when format is "uint64" && !ulong.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out _):
                errors.Add($"{at}: '{value.GetString()}' is not a {format} string");
                return;
            case "integer" when !value.TryGetInt64(out _):
                errors.Add($"{at}: {value} is not an integer");
                return;
            default:
                return;
        }
    }
}
