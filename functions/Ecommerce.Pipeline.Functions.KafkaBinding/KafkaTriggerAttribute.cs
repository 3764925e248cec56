using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace Microsoft.Azure.Functions.Worker;

/// <summary>
/// The Kafka trigger of the isolated worker, in the shape of the official
/// <c>Microsoft.Azure.Functions.Worker.Extensions.Kafka</c> at the version Directory.Packages.props pins
/// (Azure/azure-functions-dotnet-worker, <c>extensions/Worker.Extensions.Kafka/src/KafkaTriggerAttribute.cs</c>):
/// same namespace, type name, constructor, properties (names, types, defaults, <c>DefaultValue</c>), enum members
/// and <c>FunctionLevelRetry</c> capability, no more and no fewer, so the Worker SDK emits the same
/// <c>kafkaTrigger</c> binding and the function-level retry policy. KafkaBindingShimContractTests checks it against
/// the project's statement of that version (tests/contracts/kafka-worker-extension).
/// </summary>
/// <remarks>
/// This is a build-time shim only: it names no host extension, so a Functions host started on this build has no
/// Kafka listener. Containers and <c>func start</c> build with <c>-p:UseOfficialKafkaExtension=true</c>, which
/// swaps this assembly for the official package (and with it the <c>Microsoft.Azure.WebJobs.Extensions.Kafka</c>
/// host extension). The function's source is the same either way.
/// </remarks>
[BindingCapabilities(KnownBindingCapabilities.FunctionLevelRetry)]
public sealed class KafkaTriggerAttribute : TriggerBindingAttribute, ISupportCardinality
{
    /// <param name="brokerList">Broker list, usually an app setting in <c>%...%</c>.</param>
    /// <param name="topic">Topic, usually an app setting in <c>%...%</c>.</param>
    public KafkaTriggerAttribute(string brokerList, string topic)
    {
        BrokerList = brokerList;
        Topic = topic;
    }

    public string Topic { get; private set; }

    public string BrokerList { get; private set; }

    public string? ConsumerGroup { get; set; }

    public string? AvroSchema { get; set; }

    public string? KeyAvroSchema { get; set; }

    /// <summary>The key's type when no <see cref="KeyAvroSchema"/> is given.</summary>
    public KafkaMessageKeyDataType KeyDataType { get; set; } = KafkaMessageKeyDataType.String;

    /// <summary><c>sasl.mechanism</c>.</summary>
    public BrokerAuthenticationMode AuthenticationMode { get; set; } = BrokerAuthenticationMode.NotSet;

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary><c>security.protocol</c>.</summary>
    public BrokerProtocol Protocol { get; set; } = BrokerProtocol.NotSet;

    public string? SslKeyLocation { get; set; }

    public string? SslCaLocation { get; set; }

    public string? SslCertificateLocation { get; set; }

    public string? SslKeyPassword { get; set; }

    public string? SslCertificatePEM { get; set; }

    public string? SslKeyPEM { get; set; }

    public string? SslCaPEM { get; set; }

    public string? SslCertificateandKeyPEM { get; set; }

    /// <summary>Unprocessed messages one instance is expected to handle, for target-based scaling.</summary>
    public long LagThreshold { get; set; } = 1000;

    public string? SchemaRegistryUrl { get; set; }

    public string? SchemaRegistryUsername { get; set; }

    public string? SchemaRegistryPassword { get; set; }

    public OAuthBearerMethod OAuthBearerMethod { get; set; }

    public string? OAuthBearerClientId { get; set; }

    public string? OAuthBearerClientSecret { get; set; }

    public string? OAuthBearerScope { get; set; }

    public string? OAuthBearerTokenEndpointUrl { get; set; }

    public string? OAuthBearerExtensions { get; set; }

    /// <summary>True: the function receives an array per invocation (cardinality <c>Many</c>).</summary>
    /// <remarks>The Worker SDK's source generator reads the default cardinality from this <c>DefaultValue</c>.</remarks>
    [DefaultValue(false)]
    public bool IsBatched { get; set; }

    Cardinality ISupportCardinality.Cardinality
    {
        get => IsBatched ? Cardinality.Many : Cardinality.One;
        set => IsBatched = value == Cardinality.Many;
    }
}
