using Confluent.Kafka;
using Ecommerce.Pipeline.Core.Configuration;

namespace Ecommerce.Pipeline.Kafka.Tests.Security;

public sealed class KafkaSecurityTests
{
    private const string Secret = "s3cr3t-Pa55word";

    public static TheoryData<string?, string?, SecurityProtocol, KafkaSaslMechanism> Valid => new()
    {
        { null, null, SecurityProtocol.Plaintext, KafkaSaslMechanism.None },
        { "", "", SecurityProtocol.Plaintext, KafkaSaslMechanism.None },
        { "none", "disable", SecurityProtocol.Plaintext, KafkaSaslMechanism.None },
        { "NONE", "Disable", SecurityProtocol.Plaintext, KafkaSaslMechanism.None },
        { "none", "enable", SecurityProtocol.Ssl, KafkaSaslMechanism.None },
        { "plaintext", "enable", SecurityProtocol.SaslSsl, KafkaSaslMechanism.Plain },
        { "plaintext", "disable", SecurityProtocol.SaslPlaintext, KafkaSaslMechanism.Plain },
        { " Plaintext ", null, SecurityProtocol.SaslPlaintext, KafkaSaslMechanism.Plain },
        { "scram_sha256", "enable", SecurityProtocol.SaslSsl, KafkaSaslMechanism.ScramSha256 },
        { "scram_sha512", "enable", SecurityProtocol.SaslSsl, KafkaSaslMechanism.ScramSha512 },
        { "SCRAM_SHA512", "disable", SecurityProtocol.SaslPlaintext, KafkaSaslMechanism.ScramSha512 },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void KEDAs_values_give_the_protocol_and_mechanism(string? mechanism, string? tls, SecurityProtocol protocol, KafkaSaslMechanism parsed)
    {
        var security = KafkaSecurity.Create(mechanism, "alice", Secret, tls);

        Assert.Equal(protocol, security.Protocol);
        Assert.Equal(parsed, security.Mechanism);
        Assert.Equal(parsed == KafkaSaslMechanism.None ? null : "alice", security.Username);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("PLAIN")]
    [InlineData("scram-sha-512")]
    [InlineData("gssapi")]
    [InlineData("oauthbearer")]
    [InlineData("true")]
    public void An_unknown_mechanism_is_refused_with_the_setting_name_and_the_accepted_values(string mechanism)
    {
        var error = Assert.Throws<InvalidOperationException>(() => KafkaSecurity.Create(mechanism, "alice", Secret, "enable"));

        Assert.Contains(SettingNames.KafkaSaslMechanism, error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{mechanism}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("none, plaintext, scram_sha256, scram_sha512", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("yes")]
    [InlineData("enabled")]
    public void An_unknown_tls_value_is_refused(string tls)
    {
        var error = Assert.Throws<InvalidOperationException>(() => KafkaSecurity.Create("plaintext", "alice", Secret, tls));

        Assert.Contains(SettingNames.KafkaTls, error.Message, StringComparison.Ordinal);
        Assert.Contains("enable or disable", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, Secret, SettingNames.KafkaSaslUsername)]
    [InlineData("", Secret, SettingNames.KafkaSaslUsername)]
    [InlineData("alice", null, SettingNames.KafkaSaslPassword)]
    [InlineData("alice", "", SettingNames.KafkaSaslPassword)]
    public void SASL_without_credentials_names_the_missing_setting(string? username, string? password, string missing)
    {
        var error = Assert.Throws<InvalidOperationException>(() => KafkaSecurity.Create("scram_sha512", username, password, "enable"));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void None_ignores_leftover_credentials()
    {
        var security = KafkaSecurity.Create("none", "alice", Secret, "disable");

        Assert.Same(KafkaSecurity.Plaintext, security);
        var config = new ClientConfig();
        security.ApplyTo(config);
        Assert.Empty(config);
    }

    [Theory]
    [InlineData("plaintext", "enable")]
    [InlineData("scram_sha256", "disable")]
    [InlineData("scram_sha512", "enable")]
    [InlineData("none", "enable")]
    public void The_password_is_never_in_ToString(string mechanism, string tls)
    {
        var text = KafkaSecurity.Create(mechanism, "alice", Secret, tls).ToString();

        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.Contains("security.protocol=", text, StringComparison.Ordinal);
        if (mechanism != "none")
        {
            Assert.Contains("sasl.username=alice", text, StringComparison.Ordinal);
            Assert.Contains("(hidden)", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void FromSettings_reads_the_four_contract_settings_and_nothing_else()
    {
        var read = new List<string>();
        var settings = new Dictionary<string, string>
        {
            [SettingNames.KafkaSaslMechanism] = "scram_sha512",
            [SettingNames.KafkaSaslUsername] = "pipeline",
            [SettingNames.KafkaSaslPassword] = Secret,
            [SettingNames.KafkaTls] = "enable",
        };

        var security = KafkaSecurity.FromSettings(name =>
        {
            read.Add(name);
            return settings.GetValueOrDefault(name);
        });

        Assert.Equal(
            [SettingNames.KafkaSaslMechanism, SettingNames.KafkaSaslUsername, SettingNames.KafkaSaslPassword, SettingNames.KafkaTls],
            read);
        Assert.Equal(["KafkaSaslMechanism", "KafkaSaslUsername", "KafkaSaslPassword", "KafkaTls"], read);
        Assert.Equal(SecurityProtocol.SaslSsl, security.Protocol);
        Assert.Equal(KafkaSaslMechanism.ScramSha512, security.Mechanism);
        Assert.Equal("pipeline", security.Username);
    }

    [Fact]
    public void The_four_settings_are_contract_settings()
    {
        Assert.Superset(
            new HashSet<string> { "KafkaSaslMechanism", "KafkaSaslUsername", "KafkaSaslPassword", "KafkaTls" },
            SettingNames.All.ToHashSet());
    }
}
