using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Kafka;
using Microsoft.Extensions.Configuration;

namespace Ecommerce.Pipeline.Hosting;

/// <summary>
/// The Kafka part of the settings (docs/contract.md, Settings): brokers, topics, consumer group and security. Part of
/// <see cref="PipelineSettings"/>, and on its own for a host that only talks to Kafka (<c>pipeline produce</c>); the
/// same rules and error texts either way.
/// </summary>
public sealed record KafkaSettings(string KafkaBrokerList, string TransactionsTopic, string DeadLetterTopic, string ConsumerGroup)
{
    /// <summary>
    /// How every Kafka client of the host authenticates (<c>KafkaSaslMechanism</c>, <c>KafkaSaslUsername</c>,
    /// <c>KafkaSaslPassword</c>, <c>KafkaTls</c>); plaintext when none is set.
    /// </summary>
    public KafkaSecurity KafkaSecurity { get; init; } = KafkaSecurity.Plaintext;

    /// <exception cref="InvalidOperationException">
    /// <c>KafkaBrokerList</c> is missing, or the security settings are not KEDA's values or lack credentials. The
    /// message names settings as <c>'Name'</c> (the subject as <c>Setting 'Name'</c>), so a host with other names for
    /// them (the CLI's options) can say the same thing in its own words.
    /// </exception>
    public static KafkaSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var brokers = SettingReader.Read(configuration, SettingNames.KafkaBrokerList)
            ?? throw new InvalidOperationException(
                $"Setting '{SettingNames.KafkaBrokerList}' is required (the bootstrap servers, e.g. 127.0.0.1:9092).");
        if (BrokerList.FirstInvalid(brokers) is { } invalid)
        {
            throw new InvalidOperationException(
                $"Setting '{SettingNames.KafkaBrokerList}' must be HOST:PORT,... (port 1-65535), not '{brokers}': '{invalid}' is not HOST:PORT.");
        }

        return new KafkaSettings(
            brokers,
            SettingReader.Read(configuration, SettingNames.TransactionsTopic) ?? Defaults.TransactionsTopic,
            SettingReader.Read(configuration, SettingNames.DeadLetterTopic) ?? Defaults.DeadLetterTopic,
            SettingReader.Read(configuration, SettingNames.ConsumerGroup) ?? Defaults.ConsumerGroup)
        {
            // As given: a password is not trimmed.
            KafkaSecurity = KafkaSecurity.FromSettings(name => configuration[name]),
        };
    }
}
