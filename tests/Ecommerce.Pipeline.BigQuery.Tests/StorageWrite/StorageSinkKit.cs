using System.Text.Json;
using Ecommerce.Pipeline.BigQuery.Rest;
using Ecommerce.Pipeline.BigQuery.StorageWrite;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.TestSupport;
using Xunit;

namespace Ecommerce.Pipeline.BigQuery.Tests.StorageWrite;

/// <summary>Both stand-ins and the sinks a test opens on them (each sink is one processor, with its own clients).</summary>
internal sealed class StorageSinkKit : IAsyncDisposable
{
    private readonly List<StorageWriteSink> _sinks = [];

    private StorageSinkKit(BigQueryStandIn rest, StorageWriteStandIn write)
    {
        Rest = rest;
        Write = write;
    }

    public BigQueryStandIn Rest { get; }
    public StorageWriteStandIn Write { get; }

    public static async Task<StorageSinkKit> StartAsync()
    {
        var rest = await BigQueryStandIn.StartAsync();
        return new StorageSinkKit(rest, await StorageWriteStandIn.StartAsync(rest));
    }

    /// <summary>Fast waits, so fault tests take milliseconds; the watermark trust window and its clock when given.</summary>
    public StorageWriteOptions Options(DeliveryGuarantee delivery = DeliveryGuarantee.ExactlyOnce, int maxRequestBytes = 9 * 1024 * 1024,
        TimeSpan? watermarkTrust = null, TimeProvider? clock = null, int maxReconnects = 8) => new()
    {
        Endpoint = Write.Endpoint,
        Delivery = delivery,
        MaxRequestBytes = maxRequestBytes,
        WatermarkTrust = watermarkTrust ?? StorageWriteOptions.DefaultWatermarkTrust,
        WatermarkClock = clock ?? TimeProvider.System,
        MaxReconnects = maxReconnects,
        ReconnectBaseDelay = TimeSpan.FromMilliseconds(1),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(5),
        ThrottleBaseDelay = TimeSpan.FromMilliseconds(1),
        ThrottleMaxDelay = TimeSpan.FromMilliseconds(5),
        RequestTimeout = TimeSpan.FromSeconds(30),
        UseJitter = false,
    };

    /// <summary>A new processor's sink: it checks (or creates) both tables, as at start.</summary>
    public async Task<StorageWriteSink> SinkAsync(StorageWriteOptions? options = null, IBigQueryObserver? observer = null)
    {
        var sink = await StorageWriteSink.CreateAsync(new BigQuerySinkOptions { ProjectId = "proj", DatasetId = "ds" },
            options ?? Options(), TestData.ClientOptions(Rest.Endpoint, observer: observer), CancellationToken.None);
        _sinks.Add(sink);
        return sink;
    }

    /// <summary>The rows the table holds (every copy: the Storage Write API has no insertId).</summary>
    public IReadOnlyList<JsonElement> Stored(string table) =>
        Rest.Rows.TryGetValue("ds." + table, out var rows) ? [.. rows.Values] : [];

    /// <summary>How many copies of each key the table holds.</summary>
    public Dictionary<string, int> Copies(string table, string key) =>
        Stored(table).GroupBy(r => r.GetProperty(key).ToString()).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>A row of (<paramref name="partition"/>, <paramref name="offset"/>), with an event time inside the retention
    /// window (an hour ago unless given).</summary>
    public static TransactionRow Row(int partition, long offset, string? userId = "user-1", DateTime? eventTime = null) => new()
    {
        TransactionId = $"tx-{partition}-{offset}",
        UserId = userId!,
        ProductId = "prod-1",
        Price = 12.34m,
        Currency = "EUR",
        EventTimestamp = eventTime ?? DateTime.UtcNow.AddHours(-1),
        PaymentMethod = "credit_card",
        KafkaTopic = RawRecords.Topic,
        KafkaPartition = partition,
        KafkaOffset = offset,
        KafkaTimestamp = DateTimeOffset.UtcNow,
        IngestedAt = DateTime.UtcNow,
        SourceIndex = 0,
    };

    public static List<TransactionRow> Rows(int partition, long from, int count, DateTime? eventTime = null) =>
        [.. Enumerable.Range(0, count).Select(i => Row(partition, from + i, eventTime: eventTime))];

    public static DeadLetter DeadLetter(int partition, long offset) => StoredDeadLetters.At(offset, DateTime.UtcNow, partition: partition);

    /// <summary>The refused row's <c>rejected_by_sink</c> dead letter, as Core's batch handler makes it.</summary>
    public static DeadLetter Rejected(RowRejection rejection) => DeadLetterFactory.RejectedBySink(
        RawRecords.Of("{}", rejection.Row.KafkaOffset, rejection.Row.KafkaPartition), rejection.Message, rejection.Row.TransactionId, DateTime.UtcNow);

    /// <summary>A batch as Core's handler stores it: rows and dead letters, then the refused rows' dead letters.</summary>
    public static async Task<RowWriteResult> StoreBatchAsync(StorageWriteSink sink, IReadOnlyList<TransactionRow> rows, IReadOnlyList<DeadLetter> deadLetters)
    {
        var written = await sink.WriteBatchAsync(rows, deadLetters, CancellationToken.None);
        if (written.Rejected.Count > 0)
        {
            await sink.WriteDeadLettersAsync([.. written.Rejected.Select(Rejected)], CancellationToken.None);
        }

        return written;
    }

    /// <summary>Fails on anything either stand-in saw that the real service would refuse, then stops both.</summary>
    public async Task CheckAndDisposeAsync()
    {
        Assert.Equal([], Write.ContractViolations);
        Assert.Empty(Rest.ContractViolations);
        await DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var sink in _sinks)
        {
            await sink.DisposeAsync();
        }

        await Write.DisposeAsync();
        await Rest.DisposeAsync();
    }
}
