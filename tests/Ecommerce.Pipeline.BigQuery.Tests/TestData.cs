using Ecommerce.Pipeline.BigQuery.Rest;
using Ecommerce.Pipeline.Core.Geo;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;

namespace Ecommerce.Pipeline.BigQuery.Tests;

internal static class TestData
{
    public static readonly DateTime Event = new DateTime(2026, 11, 25, 17, 4, 5, DateTimeKind.Utc).AddTicks(1234560);
    public static readonly DateTime Ingested = new DateTime(2026, 11, 25, 17, 4, 6, DateTimeKind.Utc);

    public static TransactionRow Row(int i, string? id = null, decimal price = 12.5m) => new()
    {
        TransactionId = id ?? $"tx-{i:D6}",
        UserId = $"user-{i % 97}",
        ProductId = $"prod-{i % 13}",
        Price = price,
        Currency = "EUR",
        EventTimestamp = Event,
        PaymentMethod = "credit_card",
        PaymentMethodRaw = "Credit Card",
        CountryCode = "FR",
        Continent = "EU",
        City = "Paris",
        Latitude = 48.8566,
        Longitude = 2.3522,
        GeolocationRaw = "Paris, France",
        KafkaTopic = "transactions_stream",
        KafkaPartition = 3,
        KafkaOffset = 9_007_199_254_740_993L + i, // above 2^53: only a string keeps it exact
        KafkaTimestamp = new DateTimeOffset(Event),
        IngestedAt = Ingested,
        SourceIndex = i,
    };

    public static List<TransactionRow> Rows(int count) => [.. Enumerable.Range(0, count).Select(i => Row(i))];

    public static DeadLetter DeadLetter(long offset, string payload = "{not json") =>
        StoredDeadLetters.At(offset, Ingested, partition: 1, payload: payload, detail: "unexpected end");

    /// <summary>Fast retries, so fault tests take milliseconds.</summary>
    public static BigQueryClientOptions ClientOptions(Uri endpoint, TimeProvider? time = null, IBigQueryObserver? observer = null) => new()
    {
        Endpoint = endpoint,
        RetryBaseDelay = TimeSpan.FromMilliseconds(1),
        RetryMaxDelay = TimeSpan.FromMilliseconds(5),
        QuotaBaseDelay = TimeSpan.FromMilliseconds(5),
        QuotaMaxDelay = TimeSpan.FromMilliseconds(10),
        TimeProvider = time ?? TimeProvider.System,
        RequestTimeout = TimeSpan.FromSeconds(30),
        Observer = observer ?? NullBigQueryObserver.Instance,
    };

    /// <summary>Core's batch handler over <paramref name="sink"/>, at the system clock, without metrics.</summary>
    public static TransactionBatchHandler Handler(ITransactionSink sink, IDeadLetterPublisher publisher) =>
        new(new BatchProcessor(TimeProvider.System, GeoResolver.Default), sink, publisher, NullPipelineMetrics.Instance,
            TimeProvider.System);

    public static async Task<(BigQueryClient Client, BigQuerySink Sink)> SinkAsync(BigQueryStandIn standIn,
        BigQuerySinkOptions? options = null, BigQueryClientOptions? clientOptions = null)
    {
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var client = new BigQueryClient(http, clientOptions ?? ClientOptions(standIn.Endpoint), tokens: null, ownsHttp: true);
        var sink = new BigQuerySink(client, options ?? new BigQuerySinkOptions { ProjectId = "proj", DatasetId = "ds" }, ownsClient: true);
        await sink.EnsureTablesAsync(CancellationToken.None);
        return (client, sink);
    }
}
