using System.Text.Json.Nodes;
using Ecommerce.Pipeline.TestSupport.Contracts;

namespace Ecommerce.Pipeline.Deploy.Tests;

/// <summary>
/// The comparison behind every drift test, on small documents written here, so it is checked even where no upstream
/// document is at hand.
/// </summary>
public sealed class StatementDriftTests
{
    private const string Upstream = """
        {"type": "object", "required": ["name"], "properties": {
          "name": {"type": "string"},
          "size": {"type": "string", "format": "int64"},
          "mode": {"type": "string", "enum": ["a", "b", "c"]},
          "tags": {"type": "array", "items": {"type": "string"}}}}
        """;

    private static List<string> Drift(string stated) =>
        StatementDrift.Differences(JsonNode.Parse(stated), JsonNode.Parse(Upstream), "x");

    [Fact]
    public void A_statement_of_fewer_fields_and_enum_values_holds()
    {
        Assert.Empty(Drift("""
            {"type": "object", "required": ["name"], "properties": {
              "name": {"type": "string"}, "mode": {"type": "string", "enum": ["b"]}}}
            """));
    }

    [Fact]
    public void A_field_that_is_not_upstream_is_drift()
    {
        Assert.Equal(["x/properties/colour: not upstream"], Drift("""
            {"type": "object", "required": ["name"], "properties": {
              "name": {"type": "string"}, "colour": {"type": "string"}}}
            """));
    }

    [Fact]
    public void A_fact_left_out_of_a_stated_field_is_drift()
    {
        Assert.Equal(["x/properties/size/format: upstream \"int64\", not stated", "x/properties/tags/items: upstream {\"type\":\"string\"}, not stated"], Drift("""
            {"type": "object", "required": ["name"], "properties": {
              "name": {"type": "string"}, "size": {"type": "string"}, "tags": {"type": "array"}}}
            """));
    }

    [Fact]
    public void A_different_type_or_required_list_is_drift()
    {
        Assert.Equal(["x/required: stated [], upstream [name]", "x/properties/name/type: stated \"integer\", upstream \"string\""], Drift("""
            {"type": "object", "required": [], "properties": {"name": {"type": "integer"}}}
            """));
    }

    [Fact]
    public void An_enum_value_upstream_does_not_have_is_drift()
    {
        Assert.Equal(["x/properties/mode/enum: \"d\" not upstream"], Drift("""
            {"type": "object", "required": ["name"], "properties": {
              "name": {"type": "string"}, "mode": {"type": "string", "enum": ["a", "d"]}}}
            """));
    }
}
