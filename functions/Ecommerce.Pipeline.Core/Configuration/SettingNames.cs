namespace Ecommerce.Pipeline.Core.Configuration;

/// <summary>
/// The setting names of docs/contract.md ("Settings"), declared once: the CLI's environment, <c>local.settings.json</c> Values, the
/// Kubernetes ConfigMap and KEDA all use exactly these.
/// </summary>
public static class SettingNames
{
    public const string KafkaBrokerList = "KafkaBrokerList";
    public const string TransactionsTopic = "TransactionsTopic";
    public const string DeadLetterTopic = "DeadLetterTopic";
    public const string ConsumerGroup = "ConsumerGroup";
    public const string Sink = "Sink";
    public const string DuckDbPath = "DuckDbPath";
    public const string DuckDbMemoryLimit = "DuckDbMemoryLimit";
    public const string BigQueryProjectId = "BigQuery__ProjectId";
    public const string BigQueryDatasetId = "BigQuery__DatasetId";
    public const string BigQueryTableId = "BigQuery__TableId";
    public const string BigQueryEndpoint = "BigQuery__Endpoint";
    public const string BigQueryCredentials = "BigQuery__Credentials";
    public const string BigQueryWriteApi = "BigQuery__WriteApi";
    public const string BigQueryDelivery = "BigQuery__Delivery";
    public const string BigQueryStorageEndpoint = "BigQuery__StorageEndpoint";
    public const string BigQueryWatermarkTrust = "BigQuery__WatermarkTrust";
    public const string ApplicationInsightsConnectionString = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    // Kafka authentication, with KEDA's values (the TriggerAuthentication reads the same Secret keys):
    // none | plaintext | scram_sha256 | scram_sha512, and enable | disable. Secrets, never in a ConfigMap.
    public const string KafkaSaslMechanism = "KafkaSaslMechanism";
    public const string KafkaSaslUsername = "KafkaSaslUsername";
    public const string KafkaSaslPassword = "KafkaSaslPassword";
    public const string KafkaTls = "KafkaTls";

    public static IReadOnlyList<string> All { get; } =
    [
        KafkaBrokerList, TransactionsTopic, DeadLetterTopic, ConsumerGroup, Sink, DuckDbPath, DuckDbMemoryLimit,
        BigQueryProjectId, BigQueryDatasetId, BigQueryTableId, BigQueryEndpoint, BigQueryCredentials, BigQueryWriteApi,
        BigQueryDelivery, BigQueryStorageEndpoint, BigQueryWatermarkTrust, ApplicationInsightsConnectionString,
        KafkaSaslMechanism, KafkaSaslUsername, KafkaSaslPassword, KafkaTls,
    ];
}

/// <summary>Defaults of the settings (docs/contract.md, "Settings").</summary>
public static class Defaults
{
    public const string TransactionsTopic = "transactions_stream";
    public const string DeadLetterTopic = "transactions_dlq";
    public const string ConsumerGroup = "ecommerce-pipeline";
    public const SinkKind Sink = SinkKind.DuckDb;
    public const string DuckDbPath = "data/warehouse.duckdb";

    /// <summary>
    /// DuckDB's buffer pool of the writing process. DuckDB's own default is 80% of the machine's memory, and its cache of
    /// blocks read grows towards it as the table grows; the sink reads only the latest row groups, so a fixed bound costs
    /// little (docs/benchmarks.md, the DuckDB sink at scale).
    /// </summary>
    public const string DuckDbMemoryLimit = "256MB";
    public const int MetricsPort = 9464;
}
