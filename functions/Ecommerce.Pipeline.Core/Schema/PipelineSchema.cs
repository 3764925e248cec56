using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Core.Model;

namespace Ecommerce.Pipeline.Core.Schema;

/// <summary>
/// The warehouse schema, declared once (docs/contract.md, "Tables"). DuckDB DDL, the BigQuery table definition and every row
/// writer are derived from these lists; nothing else spells out a column.
/// </summary>
public static class PipelineSchema
{
    public const string TransactionsTable = "transactions";
    public const string DeadLettersTable = "dead_letters";

    /// <summary>BigQuery partitions on this column by day; partitions expire after <see cref="RetentionDays"/>.</summary>
    public const string PartitionColumn = "event_timestamp";

    public const int RetentionDays = Limits.RetentionDays;

    /// <summary>BigQuery clustering, in order.</summary>
    public static IReadOnlyList<string> ClusteringColumns { get; } = ["country_code", "payment_method", "product_id"];

    public static TableSchema<TransactionRow> Transactions { get; } = new(
        TransactionsTable,
        [
            new("transaction_id", ColumnType.String, false, "Trimmed transaction id; unique.", r => r.TransactionId),
            new("user_id", ColumnType.String, false, "Trimmed user id.", r => r.UserId),
            new("product_id", ColumnType.String, false, "Trimmed product id.", r => r.ProductId),
            new("price", ColumnType.Numeric, false, "Price, 2 places, rounded half away from zero.", r => r.Price, 18, 2),
            new("currency", ColumnType.String, false, "ISO 4217 code, upper case.", r => r.Currency),
            new("event_timestamp", ColumnType.Timestamp, false, "Event time, UTC, microseconds.", r => r.EventTimestamp),
            new("event_date", ColumnType.Date, false, "UTC date of event_timestamp.", r => r.EventDate),
            new("payment_method", ColumnType.String, false, "Canonical payment method.", r => r.PaymentMethod),
            new("payment_method_raw", ColumnType.String, true, "Payment method as sent.", r => r.PaymentMethodRaw),
            new("country_code", ColumnType.String, true, "ISO 3166-1 alpha-2.", r => r.CountryCode),
            new("continent", ColumnType.String, true, "AF AN AS EU NA OC SA.", r => r.Continent),
            new("city", ColumnType.String, true, "City as written.", r => r.City),
            new("latitude", ColumnType.Float64, true, "Decimal degrees.", r => r.Latitude),
            new("longitude", ColumnType.Float64, true, "Decimal degrees.", r => r.Longitude),
            new("geolocation_raw", ColumnType.String, true, "Geolocation as sent.", r => r.GeolocationRaw),
            new("kafka_partition", ColumnType.Int64, false, "Source partition.", r => (long)r.KafkaPartition),
            new("kafka_offset", ColumnType.Int64, false, "Source offset.", r => r.KafkaOffset),
            new("ingested_at", ColumnType.Timestamp, false, "When the pipeline processed the row, UTC.", r => r.IngestedAt),
        ],
        ["transaction_id"]);

    public static TableSchema<DeadLetter> DeadLetters { get; } = new(
        DeadLettersTable,
        [
            new("reason", ColumnType.String, false, "Reason code (docs/contract.md, Reason codes).", d => d.ReasonCode),
            new("detail", ColumnType.String, true, "What exactly was wrong.", d => d.Detail),
            new("transaction_id", ColumnType.String, true, "When it could be read.", d => d.TransactionId),
            new("payload", ColumnType.String, false, "The value as text, or base64; cut to 16 KiB.", d => d.Payload),
            new("payload_encoding", ColumnType.String, false, "utf8 or base64.", d => d.PayloadEncoding),
            new("kafka_topic", ColumnType.String, false, "Source topic.", d => d.KafkaTopic),
            new("kafka_partition", ColumnType.Int64, false, "Source partition.", d => (long)d.KafkaPartition),
            new("kafka_offset", ColumnType.Int64, false, "Source offset.", d => d.KafkaOffset),
            new("failed_at", ColumnType.Timestamp, false, "When it was rejected, UTC.", d => d.FailedAt),
        ],
        ["kafka_topic", "kafka_partition", "kafka_offset"]);
}
