using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace Ecommerce.Pipeline.Functions.Tests;

/// <summary>
/// The shim's public shape equals the official worker extension's, so the function source compiles the same against
/// either and the host reads the same binding. The data below is copied by hand from
/// Azure/azure-functions-dotnet-worker: extensions/Worker.Extensions.Kafka/src/KafkaTriggerAttribute.cs,
/// BrokerAuthenticationMode.cs, BrokerProtocol.cs and OAuthBearerMethod.cs (package
/// Microsoft.Azure.Functions.Worker.Extensions.Kafka 4.1.x). With -p:UseOfficialKafkaExtension=true the same tests
/// run against the official assembly.
/// </summary>
public sealed class KafkaBindingShimContractTests
{
    // Official property → type. The official package also has KeyDataType (an enum the shim leaves out); the shim
    // must carry at least these, with these types.
    public static TheoryData<string, Type> OfficialProperties => new()
    {
        { "Topic", typeof(string) },
        { "BrokerList", typeof(string) },
        { "ConsumerGroup", typeof(string) },
        { "AvroSchema", typeof(string) },
        { "KeyAvroSchema", typeof(string) },
        { "AuthenticationMode", typeof(BrokerAuthenticationMode) },
        { "Username", typeof(string) },
        { "Password", typeof(string) },
        { "Protocol", typeof(BrokerProtocol) },
        { "SslKeyLocation", typeof(string) },
        { "SslCaLocation", typeof(string) },
        { "SslCertificateLocation", typeof(string) },
        { "SslKeyPassword", typeof(string) },
        { "LagThreshold", typeof(long) },
        { "SchemaRegistryUrl", typeof(string) },
        { "SchemaRegistryUsername", typeof(string) },
        { "SchemaRegistryPassword", typeof(string) },
        { "OAuthBearerMethod", typeof(OAuthBearerMethod) },
        { "OAuthBearerClientId", typeof(string) },
        { "OAuthBearerClientSecret", typeof(string) },
        { "OAuthBearerScope", typeof(string) },
        { "OAuthBearerTokenEndpointUrl", typeof(string) },
        { "OAuthBearerExtensions", typeof(string) },
        { "IsBatched", typeof(bool) },
    };

    public static TheoryData<Type, string, int> OfficialEnumMembers => new()
    {
        { typeof(BrokerAuthenticationMode), "NotSet", -1 },
        { typeof(BrokerAuthenticationMode), "Gssapi", 0 },
        { typeof(BrokerAuthenticationMode), "Plain", 1 },
        { typeof(BrokerAuthenticationMode), "ScramSha256", 2 },
        { typeof(BrokerAuthenticationMode), "ScramSha512", 3 },
        { typeof(BrokerAuthenticationMode), "OAuthBearer", 4 },
        { typeof(BrokerProtocol), "NotSet", -1 },
        { typeof(BrokerProtocol), "Plaintext", 0 },
        { typeof(BrokerProtocol), "Ssl", 1 },
        { typeof(BrokerProtocol), "SaslPlaintext", 2 },
        { typeof(BrokerProtocol), "SaslSsl", 3 },
        { typeof(OAuthBearerMethod), "Default", 0 },
        { typeof(OAuthBearerMethod), "Oidc", 1 },
        { typeof(OAuthBearerMethod), "OidcManaged", 2 },
    };

    [Theory]
    [MemberData(nameof(OfficialProperties))]
    public void The_attribute_has_the_official_property(string name, Type type)
    {
        var property = typeof(KafkaTriggerAttribute).GetProperty(name, BindingFlags.Public | BindingFlags.Instance);

        Assert.NotNull(property);
        Assert.Equal(type, property.PropertyType);
    }

    [Theory]
    [MemberData(nameof(OfficialEnumMembers))]
    public void The_enums_have_the_official_names_and_values(Type enumType, string name, int value) =>
        Assert.Equal(value, (int)Enum.Parse(enumType, name));

    [Fact]
    public void The_enums_have_no_members_beyond_the_official_ones()
    {
        foreach (var type in new[] { typeof(BrokerAuthenticationMode), typeof(BrokerProtocol), typeof(OAuthBearerMethod) })
        {
            var official = OfficialEnumMembers.Select(row => ((Type)row[0], (string)row[1])).Where(r => r.Item1 == type).Select(r => r.Item2);
            Assert.Equal(official.Order(StringComparer.Ordinal), Enum.GetNames(type).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void The_attribute_is_the_official_kind_of_trigger_with_function_level_retry()
    {
        var type = typeof(KafkaTriggerAttribute);

        Assert.Equal("Microsoft.Azure.Functions.Worker", type.Namespace);
        Assert.True(type.IsSealed);
        Assert.True(typeof(TriggerBindingAttribute).IsAssignableFrom(type));
        Assert.True(typeof(ISupportCardinality).IsAssignableFrom(type));
        var capabilities = type.GetCustomAttribute<BindingCapabilitiesAttribute>();
        Assert.NotNull(capabilities);
        Assert.Contains(KnownBindingCapabilities.FunctionLevelRetry, capabilities.Capabilities);
        var ctor = Assert.Single(type.GetConstructors());
        Assert.Equal(["brokerList", "topic"], ctor.GetParameters().Select(p => p.Name));
    }

    [Fact]
    public void Defaults_and_cardinality_follow_the_official_attribute()
    {
        var attribute = new KafkaTriggerAttribute("b", "t");

        Assert.Equal(1000, attribute.LagThreshold);
        Assert.Equal(BrokerAuthenticationMode.NotSet, attribute.AuthenticationMode);
        Assert.Equal(BrokerProtocol.NotSet, attribute.Protocol);
        Assert.False(attribute.IsBatched);
        Assert.Equal(Cardinality.One, ((ISupportCardinality)attribute).Cardinality);
        attribute.IsBatched = true;
        Assert.Equal(Cardinality.Many, ((ISupportCardinality)attribute).Cardinality);
        ((ISupportCardinality)attribute).Cardinality = Cardinality.One;
        Assert.False(attribute.IsBatched);
    }
}
