using System.Reflection;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace Ecommerce.Pipeline.Functions.Tests;

/// <summary>
/// The Kafka trigger attribute the app compiles against, and its enums, equal the pinned official worker extension
/// exactly: the properties (no more, no fewer) with their types, setters, defaults and <c>DefaultValue</c>
/// attributes, the enum members and values, the capability and constructor. The facts are the project's statement
/// of that version (tests/contracts/kafka-worker-extension/kafka-trigger.statement.json, with its sources). Built
/// with <c>-p:UseOfficialKafkaExtension=true</c> the same tests read the official assembly instead of the shim, so
/// the statement is checked against the released package itself.
/// </summary>
public sealed class KafkaBindingShimContractTests
{
    private static readonly JsonElement Statement = LoadStatement();

    public static TheoryData<string> StatedProperties => [.. StatedPropertyNames()];

    public static TheoryData<string> StatedEnums => [.. Statement.GetProperty("enums").EnumerateObject().Select(p => p.Name)];

    [Fact]
    public void The_attribute_has_exactly_the_stated_properties()
    {
        var actual = typeof(KafkaTriggerAttribute).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.DeclaringType == typeof(KafkaTriggerAttribute))
            .Select(p => p.Name).Order(StringComparer.Ordinal);

        Assert.Equal(StatedPropertyNames().Order(StringComparer.Ordinal), actual);
    }

    [Theory]
    [MemberData(nameof(StatedProperties))]
    public void Each_property_has_the_stated_type_setter_default_and_default_value_attribute(string name)
    {
        var stated = Statement.GetProperty("trigger").GetProperty("properties").GetProperty(name);
        var property = typeof(KafkaTriggerAttribute).GetProperty(name, BindingFlags.Public | BindingFlags.Instance)!;
        var fresh = new KafkaTriggerAttribute("b", "t");

        Assert.Equal(stated.GetProperty("type").GetString(), property.PropertyType.Name);
        var privateSetter = stated.TryGetProperty("setter", out var setter) && setter.GetString() == "private";
        Assert.Equal(!privateSetter, property.SetMethod?.IsPublic == true);
        var value = property.GetValue(fresh);
        if (stated.TryGetProperty("default", out var expected))
        {
            Assert.Equal(Describe(expected), Describe(value));
        }
        else if (!privateSetter)
        {
            Assert.Null(value);
        }

        // The Worker SDK's own DefaultValueAttribute (Extensions.Abstractions), which its source generator reads.
        var attribute = property.GetCustomAttribute<DefaultValueAttribute>();
        if (stated.TryGetProperty("defaultValueAttribute", out var defaultValue))
        {
            Assert.NotNull(attribute);
            Assert.Equal(Describe(defaultValue), defaultValue.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? Describe(attribute.DefaultBoolValue)
                : attribute.DefaultStringValue);
        }
        else
        {
            Assert.Null(attribute);
        }
    }

    [Theory]
    [MemberData(nameof(StatedEnums))]
    public void Each_enum_has_exactly_the_stated_members_and_values(string name)
    {
        var type = typeof(KafkaTriggerAttribute).Assembly.GetType($"{Statement.GetProperty("namespace").GetString()}.{name}", throwOnError: true)!;
        var stated = Statement.GetProperty("enums").GetProperty(name).EnumerateObject().Select(m => $"{m.Name}={m.Value.GetInt32()}");

        Assert.Equal(stated.Order(StringComparer.Ordinal),
            Enum.GetNames(type).Select(n => $"{n}={Convert.ToInt32(Enum.Parse(type, n), System.Globalization.CultureInfo.InvariantCulture)}")
                .Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_attribute_is_the_stated_kind_of_trigger()
    {
        var type = typeof(KafkaTriggerAttribute);
        var trigger = Statement.GetProperty("trigger");

        Assert.Equal(Statement.GetProperty("namespace").GetString(), type.Namespace);
        Assert.Equal(trigger.GetProperty("type").GetString(), type.Name);
        Assert.Equal(trigger.GetProperty("sealed").GetBoolean(), type.IsSealed);
        Assert.True(typeof(TriggerBindingAttribute).IsAssignableFrom(type));
        Assert.True(typeof(ISupportCardinality).IsAssignableFrom(type));
        var capabilities = type.GetCustomAttribute<BindingCapabilitiesAttribute>();
        Assert.NotNull(capabilities);
        Assert.Equal(trigger.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()!), capabilities.Capabilities);
        var ctor = Assert.Single(type.GetConstructors());
        Assert.Equal(trigger.GetProperty("constructor").EnumerateArray().Select(c => c.GetString()), ctor.GetParameters().Select(p => p.Name));
    }

    [Fact]
    public void Cardinality_follows_is_batched()
    {
        var attribute = new KafkaTriggerAttribute("b", "t");

        Assert.Equal(Cardinality.One, ((ISupportCardinality)attribute).Cardinality);
        attribute.IsBatched = true;
        Assert.Equal(Cardinality.Many, ((ISupportCardinality)attribute).Cardinality);
        ((ISupportCardinality)attribute).Cardinality = Cardinality.One;
        Assert.False(attribute.IsBatched);
    }

    [Fact]
    public void The_statement_is_of_the_version_the_build_pins()
    {
        var props = XDocument.Load(Repository.File("Directory.Packages.props"));
        var pinned = props.Descendants("PackageVersion")
            .Single(e => (string?)e.Attribute("Include") == Statement.GetProperty("package").GetString());

        Assert.Equal(Statement.GetProperty("version").GetString(), (string?)pinned.Attribute("Version"));
    }

    private static IEnumerable<string> StatedPropertyNames() =>
        Statement.GetProperty("trigger").GetProperty("properties").EnumerateObject().Select(p => p.Name);

    internal static JsonElement LoadStatement()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(
            Pipeline.TestSupport.Contracts.UpstreamContracts.Statement(Path.Combine("kafka-worker-extension", "kafka-trigger.statement.json"))));
        return document.RootElement.Clone();
    }

    // Enums by member name, numbers and booleans as JSON writes them.
    private static string Describe(object? value) => value switch
    {
        null => "null",
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString()!,
        JsonElement e => e.GetRawText(),
        bool b => b ? "true" : "false",
        Enum e => e.ToString(),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString()!,
    };
}
