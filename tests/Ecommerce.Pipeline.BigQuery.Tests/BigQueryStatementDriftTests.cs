using System.Text.Json.Nodes;
using Ecommerce.Pipeline.TestSupport.Contracts;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>
/// The statement in tests/contracts/bigquery against Google's discovery document itself: every method, parameter,
/// schema, property, type, format and reference it states must be upstream, identical.
/// </summary>
public sealed class BigQueryStatementDriftTests
{
    private const string Upstream = "bigquery/bigquery-v2.discovery.json";
    private const string What = "Google's BigQuery v2 discovery document";

    private static JsonObject Statement => (JsonObject)JsonNode.Parse(File.ReadAllText(UpstreamContracts.Statement(DiscoveryDocument.StatementFile)))!;

    [UpstreamFact(Upstream, What)]
    public void Every_stated_method_and_schema_is_upstream_unchanged()
    {
        var upstream = (JsonObject)JsonNode.Parse(File.ReadAllText(UpstreamContracts.Require(Upstream, What)))!;
        var statement = Statement;
        var methods = upstream["resources"]!.AsObject()
            .SelectMany(r => r.Value!["methods"]?.AsObject() ?? [])
            .ToDictionary(m => (string)m.Value!["id"]!, m => m.Value, StringComparer.Ordinal);

        var differences = StatementDrift.Differences(statement["servicePath"], upstream["servicePath"], "servicePath");
        foreach (var (id, method) in statement["methods"]!.AsObject())
        {
            differences.AddRange(methods.TryGetValue(id, out var theirs)
                ? StatementDrift.Differences(method, theirs, $"methods/{id}")
                : [$"methods/{id}: not upstream"]);
        }

        differences.AddRange(StatementDrift.Differences(statement["schemas"], upstream["schemas"], "schemas"));

        Assert.True(differences.Count == 0, $"{DiscoveryDocument.StatementFile} differs from {Upstream}:\n{string.Join('\n', differences)}");
    }

    [Fact]
    public void Every_reference_in_the_statement_is_to_a_stated_schema()
    {
        var statement = Statement;
        var schemas = statement["schemas"]!.AsObject();

        var references = Objects(statement).Select(o => (string?)o["$ref"]).OfType<string>().Distinct().ToList();

        Assert.NotEmpty(references);
        Assert.All(references, r => Assert.True(schemas.ContainsKey(r), $"$ref {r} is not a stated schema"));
    }

    private static IEnumerable<JsonObject> Objects(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(kv => Objects(kv.Value)).Prepend(o),
        JsonArray a => a.SelectMany(Objects),
        _ => [],
    };
}
