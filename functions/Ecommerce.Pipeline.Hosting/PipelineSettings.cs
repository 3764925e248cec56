using System.Globalization;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Kafka;
using Microsoft.Extensions.Configuration;

namespace Ecommerce.Pipeline.Hosting;

/// <summary>
/// The settings of docs/contract.md (Settings) read once from configuration (environment, <c>local.settings.json</c>
/// Values, a ConfigMap, the CLI's options), with the contract's defaults. Every host reads them here, so each
/// setting has one validation rule and one error text. Reading happens at startup so a bad value stops the host
/// with one clear message instead of failing every batch.
/// </summary>
public sealed record PipelineSettings(
    string KafkaBrokerList,
    string TransactionsTopic,
    string DeadLetterTopic,
    string ConsumerGroup,
    SinkKind Sink,
    string DuckDbPath,
    int MetricsPort)
{
    /// <summary>
    /// Port of the Prometheus endpoint (docs/contract.md, Metrics; default <see cref="Defaults.MetricsPort"/>); 0
    /// turns it off. Host-only, so not part of <see cref="SettingNames"/>: it lets a local app run beside
    /// <c>pipeline dev</c>.
    /// </summary>
    public const string MetricsPortSetting = "MetricsPort";

    /// <summary><c>DuckDbMemoryLimit</c>: DuckDB's <c>memory_limit</c> for the sink's file.</summary>
    public string DuckDbMemoryLimit { get; init; } = Defaults.DuckDbMemoryLimit;

    /// <summary><c>BigQuery__ProjectId</c>; required when <see cref="Sink"/> is <c>bigquery</c>.</summary>
    public string? BigQueryProjectId { get; init; }

    /// <summary><c>BigQuery__DatasetId</c>; required when <see cref="Sink"/> is <c>bigquery</c>.</summary>
    public string? BigQueryDatasetId { get; init; }

    /// <summary><c>BigQuery__TableId</c>; default <c>transactions</c>.</summary>
    public string? BigQueryTableId { get; init; }

    /// <summary><c>BigQuery__Endpoint</c>: an emulator or stand-in; when set, no credentials are used.</summary>
    public Uri? BigQueryEndpoint { get; init; }

    /// <summary>
    /// How every Kafka client of the host authenticates (<c>KafkaSaslMechanism</c>, <c>KafkaSaslUsername</c>,
    /// <c>KafkaSaslPassword</c>, <c>KafkaTls</c>); plaintext when none is set.
    /// </summary>
    public KafkaSecurity KafkaSecurity { get; init; } = KafkaSecurity.Plaintext;

    /// <summary>
    /// Batches written side by side: BigQuery answers each insertAll after a network round trip, and overlapping
    /// batches hide it (measured +30% against a local stand-in, more against the real service's latency); DuckDB has
    /// one writer, so one batch at a time.
    /// </summary>
    public int MaxConcurrentWrites => Sink == SinkKind.BigQuery ? 4 : 1;

    /// <exception cref="InvalidOperationException">
    /// A required setting is missing or a value is not allowed (also Kafka security outside KEDA's values, or missing
    /// credentials). The message names settings as <c>'Name'</c> (the subject as <c>Setting 'Name'</c>), so a host
    /// with other names for them (the CLI's options) can say the same thing in its own words.
    /// </exception>
    public static PipelineSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var kafka = KafkaSettings.From(configuration);
        var warehouse = WarehouseSettings.From(configuration);
        var portText = SettingReader.Read(configuration, MetricsPortSetting);
        var port = Defaults.MetricsPort;
        if (portText is not null
            && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535))
        {
            throw new InvalidOperationException(
                $"Setting '{MetricsPortSetting}' must be a port number (0 = no endpoint), not '{portText}'.");
        }

        return new PipelineSettings(
            kafka.KafkaBrokerList,
            kafka.TransactionsTopic,
            kafka.DeadLetterTopic,
            kafka.ConsumerGroup,
            warehouse.Sink,
            warehouse.DuckDbPath,
            port)
        {
            DuckDbMemoryLimit = warehouse.DuckDbMemoryLimit,
            BigQueryProjectId = warehouse.BigQueryProjectId,
            BigQueryDatasetId = warehouse.BigQueryDatasetId,
            BigQueryTableId = warehouse.BigQueryTableId,
            BigQueryEndpoint = warehouse.BigQueryEndpoint,
            KafkaSecurity = kafka.KafkaSecurity,
        };
    }
}
