namespace Microsoft.Azure.Functions.Worker;

// Names and values exactly as in the pinned worker extension (Directory.Packages.props; the statement in
// tests/contracts/kafka-worker-extension says where each fact comes from): the WebJobs extension parses the
// member names the Worker SDK writes, and -1 for NotSet matters.
#pragma warning disable CA1008 // The official enums have no None member; the shim must not add one.
#pragma warning disable CA1720 // Int, Long, String, Float, Double: the official member names.

/// <summary>SASL mechanism (<c>sasl.mechanism</c>).</summary>
public enum BrokerAuthenticationMode
{
    NotSet = -1,
    Gssapi,
    Plain,
    ScramSha256,
    ScramSha512,
    OAuthBearer,
}

/// <summary>Security protocol (<c>security.protocol</c>).</summary>
public enum BrokerProtocol
{
    NotSet = -1,
    Plaintext,
    Ssl,
    SaslPlaintext,
    SaslSsl,
}

/// <summary>OAuth bearer method (<c>sasl.oauthbearer.method</c>).</summary>
public enum OAuthBearerMethod
{
    Default,
    Oidc,
}

/// <summary>The data type of the message key, for Avro-less key deserialisation.</summary>
public enum KafkaMessageKeyDataType
{
    Int = 0,
    Long,
    String,
    Float,
    Double,
    Binary,
}
#pragma warning restore CA1720
#pragma warning restore CA1008
