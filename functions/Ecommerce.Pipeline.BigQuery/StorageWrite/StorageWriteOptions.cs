using Ecommerce.Pipeline.BigQuery.Rest;

namespace Ecommerce.Pipeline.BigQuery.StorageWrite;

/// <summary>Where the Storage Write API is, what the sink promises, and how hard it retries.</summary>
public sealed class StorageWriteOptions
{
    /// <summary>
    /// Google's endpoint for the Storage API (java-bigquerystorage BigQueryWriteSettings:
    /// <c>bigquerystorage.googleapis.com:443</c>).
    /// </summary>
    public static Uri DefaultEndpoint { get; } = new("https://bigquerystorage.googleapis.com");

    /// <summary>A stand-in, emulator or proxy, e.g. <c>http://127.0.0.1:PORT</c> (plaintext HTTP/2); whether credentials go there is <see cref="Credentials"/>'s.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>As for the REST client (<c>BigQuery__Credentials</c>): by default none to an endpoint override.</summary>
    public BigQueryCredentialMode Credentials { get; init; } = BigQueryCredentialMode.Auto;

    public DeliveryGuarantee Delivery { get; init; } = DeliveryGuarantee.ExactlyOnce;

    /// <summary>
    /// The default <see cref="WatermarkTrust"/>: half the Kafka extension's session timeout. The host extension the
    /// function app pins (Microsoft.Azure.WebJobs.Extensions.Kafka 4.3.2) defaults <c>SessionTimeoutMs</c> to 10000
    /// and passes it to the consumer (Azure/azure-functions-kafka-extension@0021f340d0d3ff0fa3624f3d35b75ededbe4672b
    /// src/Microsoft.Azure.WebJobs.Extensions.Kafka/Config/KafkaOptions.cs), below librdkafka's own 45 s default
    /// (librdkafka CHANGELOG, v1.7.0, KIP-735); host.json does not change it.
    /// </summary>
    public static TimeSpan DefaultWatermarkTrust { get; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// With exactly-once and a host that reports no partition assignments (the Functions host): how long after this
    /// sink acknowledged a batch of a partition the next batch of it, starting right after it, is written without
    /// reading the watermark again. Must stay below the Kafka session timeout (docs/exactly-once.md, "The Functions
    /// host"); <see cref="TimeSpan.Zero"/> reads the watermark before every batch.
    /// </summary>
    public TimeSpan WatermarkTrust { get; init; } = DefaultWatermarkTrust;

    /// <summary>The clock of <see cref="WatermarkTrust"/> (retries keep the client's).</summary>
    public TimeProvider WatermarkClock { get; init; } = TimeProvider.System;

    /// <summary>The consumed topic: dead letters of other topics are not this processor's (the dead-letter watermark query filters on it).</summary>
    public string Topic { get; init; } = "transactions_stream";

    /// <summary>
    /// The largest AppendRows request. The API refuses a request of 10 MB or more (AppendRowsRequest's comment in
    /// google/cloud/bigquery/storage/v1/storage.proto: "The size of a single AppendRowsRequest must be less than 10 MB");
    /// 9 MiB leaves room for the request's own fields.
    /// </summary>
    public int MaxRequestBytes { get; init; } = 9 * 1024 * 1024;

    /// <summary>Reconnects (ABORTED, UNAVAILABLE, CANCELLED, INTERNAL, DEADLINE_EXCEEDED, a broken stream) of one request before the batch fails.</summary>
    public int MaxReconnects { get; init; } = 8;

    public TimeSpan ReconnectBaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>RESOURCE_EXHAUSTED (throughput quota) answers of one request before the batch fails; backed off in seconds with jitter.</summary>
    public int MaxThrottleRetries { get; init; } = 10;

    public TimeSpan ThrottleBaseDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan ThrottleMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>OUT_OF_RANGE answers of one request (re-sent from the last acknowledged offset) before the batch fails.</summary>
    public int MaxOffsetResends { get; init; } = 3;

    /// <summary>Per unary call (CreateWriteStream, FinalizeWriteStream) and per AppendRows response.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Appends of different partitions in flight at once.</summary>
    public int MaxConcurrentAppends { get; init; } = 8;

    /// <summary>Jitter on by default; tests may turn it off.</summary>
    public bool UseJitter { get; init; } = true;
}
