using System.Globalization;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Hosting;

namespace Ecommerce.Pipeline.Cli.Hosting;

/// <summary>
/// What <c>dev</c> and <c>bench</c> decide themselves, over the environment: they run their own embedded broker,
/// which speaks plaintext only, so Kafka security meant for a real cluster (KafkaSaslMechanism, KafkaTls, ...) must
/// not reach their clients; and they use the contract's topics and group, whatever the environment names.
/// </summary>
internal static class EmbeddedBrokerSettings
{
    public static Dictionary<string, string?> For(string bootstrapServers, SinkKind sink, int metricsPort) => new(StringComparer.Ordinal)
    {
        [SettingNames.KafkaBrokerList] = bootstrapServers,
        [SettingNames.TransactionsTopic] = Defaults.TransactionsTopic,
        [SettingNames.DeadLetterTopic] = Defaults.DeadLetterTopic,
        [SettingNames.ConsumerGroup] = Defaults.ConsumerGroup,
        [SettingNames.Sink] = sink.Name(),
        [SettingNames.KafkaSaslMechanism] = "none",
        [SettingNames.KafkaSaslUsername] = string.Empty,
        [SettingNames.KafkaSaslPassword] = string.Empty,
        [SettingNames.KafkaTls] = "disable",
        [PipelineSettings.MetricsPortSetting] = metricsPort.ToString(CultureInfo.InvariantCulture),
    };
}
