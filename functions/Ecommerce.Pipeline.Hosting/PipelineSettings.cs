using System.Globalization;
using Ecommerce.Pipeline.BigQuery.Rest;
using Ecommerce.Pipeline.BigQuery.StorageWrite;
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

    /// <summary><c>BigQuery__Endpoint</c>: an emulator, stand-in or proxy instead of the real service.</summary>
    public Uri? BigQueryEndpoint { get; init; }

    /// <summary><c>BigQuery__Credentials</c>; see <see cref="WarehouseSettings.BigQueryCredentials"/>.</summary>
    public BigQueryCredentialMode BigQueryCredentials { get; init; }
    /// <summary><c>BigQuery__WriteApi</c>: <c>storage</c> (the default) or <c>insertall</c>.</summary>
    public WriteApi BigQueryWriteApi { get; init; } = WriteApi.Storage;

    /// <summary><c>BigQuery__Delivery</c> of the Storage Write API: <c>exactly-once</c> (the default) or <c>at-least-once</c>.</summary>
    public DeliveryGuarantee BigQueryDelivery { get; init; } = DeliveryGuarantee.ExactlyOnce;

    /// <summary><c>BigQuery__StorageEndpoint</c>: a Storage Write API stand-in; when set, no credentials are used.</summary>
    public Uri? BigQueryStorageEndpoint { get; init; }

    /// <summary><c>BigQuery__WatermarkTrust</c>; see <see cref="WarehouseSettings.BigQueryWatermarkTrust"/>.</summary>
    public TimeSpan BigQueryWatermarkTrust { get; init; } = StorageWriteOptions.DefaultWatermarkTrust;

    /// <summary>
    /// How every Kafka client of the host authenticates (<c>KafkaSaslMechanism</c>, <c>KafkaSaslUsername</c>,
    /// <c>KafkaSaslPassword</c>, <c>KafkaTls</c>); plaintext when none is set.
    /// </summary>
    public KafkaSecurity KafkaSecurity { get; init; } = KafkaSecurity.Plaintext;

    /// <summary>
    /// Batches written side by side: BigQuery answers each insertAll after a network round trip, and overlapping
    /// batches hide it (measured +30% against a local stand-in, more against the real service's latency); DuckDB has
    /// one writer, so one batch at a time. Exactly-once over the Storage Write API also takes one batch at a time:
    /// its "skip at or below the partition's highest stored offset" is exact only if a partition's batches are
    /// appended in offset order, each after the one before it was acknowledged (a later batch overtaking an earlier,
    /// or going on after it failed, would make the retry of the earlier one look stored). The sink still writes the
    /// partitions of one batch side by side.
    /// </summary>
    public int MaxConcurrentWrites =>
        Sink != SinkKind.BigQuery || (BigQueryWriteApi == WriteApi.Storage && BigQueryDelivery == DeliveryGuarantee.ExactlyOnce)
            ? 1
            : 4;

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
        warehouse.CheckWriteEndpoints();
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
            BigQueryCredentials = warehouse.BigQueryCredentials,
            BigQueryWriteApi = warehouse.BigQueryWriteApi,
            BigQueryDelivery = warehouse.BigQueryDelivery,
            BigQueryStorageEndpoint = warehouse.BigQueryStorageEndpoint,
            BigQueryWatermarkTrust = warehouse.BigQueryWatermarkTrust,
            KafkaSecurity = kafka.KafkaSecurity,
        };
    }
}
