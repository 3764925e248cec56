using Confluent.Kafka;
using Ecommerce.Pipeline.Core.Configuration;

namespace Ecommerce.Pipeline.Kafka;

/// <summary>The SASL mechanisms of KEDA's Kafka <c>sasl</c> parameter that this app supports.</summary>
public enum KafkaSaslMechanism
{
    /// <summary>No SASL (KEDA's <c>none</c>).</summary>
    None,

    /// <summary>SASL/PLAIN (KEDA's <c>plaintext</c>, which names the mechanism, not the transport).</summary>
    Plain,

    /// <summary>SCRAM-SHA-256 (KEDA's <c>scram_sha256</c>).</summary>
    ScramSha256,

    /// <summary>SCRAM-SHA-512 (KEDA's <c>scram_sha512</c>).</summary>
    ScramSha512,
}

/// <summary>
/// How our own Kafka clients authenticate, from the settings <c>KafkaSaslMechanism</c>, <c>KafkaSaslUsername</c>,
/// <c>KafkaSaslPassword</c> and <c>KafkaTls</c>, with the values KEDA's TriggerAuthentication takes from the same
/// Secret, so the scaler and the app cannot disagree about one cluster.
/// </summary>
/// <remarks>The password is kept but never shown: <see cref="ToString"/> and every error leave it out.</remarks>
public sealed class KafkaSecurity
{
    private readonly string? _password;

    private KafkaSecurity(KafkaSaslMechanism mechanism, string? username, string? password, bool tls)
    {
        Mechanism = mechanism;
        Username = username;
        _password = password;
        Tls = tls;
    }

    /// <summary>No authentication, no TLS: what the clients did before these settings existed.</summary>
    public static KafkaSecurity Plaintext { get; } = new(KafkaSaslMechanism.None, null, null, tls: false);

    public KafkaSaslMechanism Mechanism { get; }

    public string? Username { get; }

    public bool Tls { get; }

    /// <summary><c>security.protocol</c>: SASL and TLS are independent switches, as in KEDA.</summary>
    public SecurityProtocol Protocol => (Mechanism != KafkaSaslMechanism.None, Tls) switch
    {
        (true, true) => SecurityProtocol.SaslSsl,
        (true, false) => SecurityProtocol.SaslPlaintext,
        (false, true) => SecurityProtocol.Ssl,
        (false, false) => SecurityProtocol.Plaintext,
    };

    /// <summary>
    /// From the four settings as <paramref name="setting"/> looks them up (the host's configuration: the Functions
    /// host's app settings, the CLI's environment and options).
    /// </summary>
    /// <exception cref="InvalidOperationException">A setting has a value outside KEDA's set, or credentials are missing.</exception>
    public static KafkaSecurity FromSettings(Func<string, string?> setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        return Create(
            setting(SettingNames.KafkaSaslMechanism),
            setting(SettingNames.KafkaSaslUsername),
            setting(SettingNames.KafkaSaslPassword),
            setting(SettingNames.KafkaTls));
    }

    /// <summary>
    /// Parses KEDA's values (case-insensitive; empty or absent means <c>none</c> and <c>disable</c>). With a
    /// mechanism other than <c>none</c>, username and password are required; with <c>none</c> they are ignored.
    /// </summary>
    /// <exception cref="InvalidOperationException">A value outside KEDA's set, or missing credentials.</exception>
    public static KafkaSecurity Create(string? mechanism, string? username, string? password, string? tls)
    {
        var parsedMechanism = ParseMechanism(mechanism);
        var parsedTls = ParseTls(tls);
        if (parsedMechanism == KafkaSaslMechanism.None)
        {
            return parsedTls ? new KafkaSecurity(KafkaSaslMechanism.None, null, null, tls: true) : Plaintext;
        }

        // Name the missing setting, never echo a credential.
        if (string.IsNullOrEmpty(username))
        {
            throw new InvalidOperationException(
                $"{SettingNames.KafkaSaslMechanism}={mechanism!.Trim()} needs {SettingNames.KafkaSaslUsername}, which is empty.");
        }

        if (string.IsNullOrEmpty(password))
        {
            throw new InvalidOperationException(
                $"{SettingNames.KafkaSaslMechanism}={mechanism!.Trim()} needs {SettingNames.KafkaSaslPassword}, which is empty.");
        }

        return new KafkaSecurity(parsedMechanism, username, password, parsedTls);
    }

    /// <summary>Sets <c>security.protocol</c> and, with SASL, <c>sasl.mechanism</c>, username and password.</summary>
    /// <remarks>Plaintext leaves the config untouched (librdkafka's default is plaintext).</remarks>
    public void ApplyTo(ClientConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (Protocol == SecurityProtocol.Plaintext)
        {
            return;
        }

        config.SecurityProtocol = Protocol;
        if (Mechanism == KafkaSaslMechanism.None)
        {
            return;
        }

        config.SaslMechanism = Mechanism switch
        {
            KafkaSaslMechanism.Plain => SaslMechanism.Plain,
            KafkaSaslMechanism.ScramSha256 => SaslMechanism.ScramSha256,
            _ => SaslMechanism.ScramSha512,
        };
        config.SaslUsername = Username;
        config.SaslPassword = _password;
    }

    /// <summary>For logs: protocol, mechanism and user, never the password.</summary>
    public override string ToString() => Mechanism == KafkaSaslMechanism.None
        ? $"security.protocol={Protocol}"
        : $"security.protocol={Protocol}, sasl.mechanism={Mechanism}, sasl.username={Username}, sasl.password=(hidden)";

    private static KafkaSaslMechanism ParseMechanism(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        null or "" or "NONE" => KafkaSaslMechanism.None,
        "PLAINTEXT" => KafkaSaslMechanism.Plain,
        "SCRAM_SHA256" => KafkaSaslMechanism.ScramSha256,
        "SCRAM_SHA512" => KafkaSaslMechanism.ScramSha512,
        _ => throw new InvalidOperationException(
            $"{SettingNames.KafkaSaslMechanism} '{value}' is not one of none, plaintext, scram_sha256, scram_sha512 (KEDA's values)."),
    };

    private static bool ParseTls(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        null or "" or "DISABLE" => false,
        "ENABLE" => true,
        _ => throw new InvalidOperationException($"{SettingNames.KafkaTls} '{value}' is not enable or disable (KEDA's values)."),
    };
}
