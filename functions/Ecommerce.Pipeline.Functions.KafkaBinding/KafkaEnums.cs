namespace Microsoft.Azure.Functions.Worker;

// Names and values as in the official worker extension (extensions/Worker.Extensions.Kafka/src/*.cs): the host reads
// them by value, so -1 for NotSet matters.
#pragma warning disable CA1008 // The official enums have no None member; the shim must not add one.

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
    OidcManaged,
}
#pragma warning restore CA1008
