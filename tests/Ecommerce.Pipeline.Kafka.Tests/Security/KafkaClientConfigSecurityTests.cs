using Confluent.Kafka;

namespace Ecommerce.Pipeline.Kafka.Tests.Security;

/// <summary>Every config KafkaClientConfig builds carries the cluster's security, as librdkafka properties.</summary>
public sealed class KafkaClientConfigSecurityTests
{
    private const string Secret = "s3cr3t-Pa55word";

    private static readonly string[] SettingNamesOfSecurity = ["KafkaSaslMechanism", "KafkaSaslUsername", "KafkaSaslPassword", "KafkaTls"];

    public static TheoryData<string, string, string, string> Modes => new()
    {
        { "plaintext", "enable", "sasl_ssl", "PLAIN" },
        { "plaintext", "disable", "sasl_plaintext", "PLAIN" },
        { "scram_sha256", "enable", "sasl_ssl", "SCRAM-SHA-256" },
        { "scram_sha512", "enable", "sasl_ssl", "SCRAM-SHA-512" },
    };

    [Theory]
    [MemberData(nameof(Modes))]
    public void Producer_consumer_and_admin_configs_carry_SASL(string mechanism, string tls, string protocol, string saslMechanism)
    {
        var security = KafkaSecurity.Create(mechanism, "pipeline", Secret, tls);
        ClientConfig[] configs =
        [
            KafkaClientConfig.Producer("b:9092", security: security),
            KafkaClientConfig.Consumer("b:9092", "g", security: security),
            KafkaClientConfig.Admin("b:9092", security: security),
        ];

        Assert.All(configs, config =>
        {
            var properties = config.ToDictionary(kv => kv.Key, kv => kv.Value);
            Assert.Equal(protocol, properties["security.protocol"]);
            Assert.Equal(saslMechanism, properties["sasl.mechanism"]);
            Assert.Equal("pipeline", properties["sasl.username"]);
            Assert.Equal(Secret, properties["sasl.password"]);
            Assert.Equal("b:9092", properties["bootstrap.servers"]);
        });
    }

    [Fact]
    public void Tls_without_SASL_is_ssl_with_no_credentials()
    {
        var config = KafkaClientConfig.Consumer("b:9092", "g", security: KafkaSecurity.Create("none", null, null, "enable"));

        Assert.Equal(SecurityProtocol.Ssl, config.SecurityProtocol);
        Assert.Null(config.SaslMechanism);
        Assert.Null(config.SaslUsername);
        Assert.Null(config.SaslPassword);
    }

    [Fact]
    public void Plaintext_leaves_the_configs_as_they_were()
    {
        var producer = KafkaClientConfig.Producer("b:9092", security: KafkaSecurity.Plaintext);
        var consumer = KafkaClientConfig.Consumer("b:9092", "g", security: KafkaSecurity.Plaintext);

        Assert.DoesNotContain(producer, kv => kv.Key.StartsWith("sasl.", StringComparison.Ordinal) || kv.Key == "security.protocol");
        Assert.DoesNotContain(consumer, kv => kv.Key.StartsWith("sasl.", StringComparison.Ordinal) || kv.Key == "security.protocol");
        Assert.Equal(Acks.All, producer.Acks);
        Assert.Equal(PartitionAssignmentStrategy.CooperativeSticky, consumer.PartitionAssignmentStrategy);
    }

    [Fact]
    public void Without_an_explicit_security_the_clients_are_plaintext_whatever_the_environment_says()
    {
        // The host reads the settings once and passes them in; the adapter itself never looks at the environment.
        var before = SettingNamesOfSecurity.ToDictionary(name => name, Environment.GetEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable("KafkaSaslMechanism", "scram_sha512");
            Environment.SetEnvironmentVariable("KafkaSaslUsername", "pipeline");
            Environment.SetEnvironmentVariable("KafkaSaslPassword", Secret);
            Environment.SetEnvironmentVariable("KafkaTls", "enable");

            Assert.Null(KafkaClientConfig.Producer("b:9092").SecurityProtocol);
            Assert.Null(KafkaClientConfig.Consumer("b:9092", "g").SaslUsername);
            Assert.Null(KafkaClientConfig.Admin("b:9092").SecurityProtocol);
        }
        finally
        {
            foreach (var (name, value) in before)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
