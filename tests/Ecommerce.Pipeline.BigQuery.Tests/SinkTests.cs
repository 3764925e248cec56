using System.Net;
using System.Text;
using System.Text.Json;
using Ecommerce.Pipeline.BigQuery.Rest;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.Core.Schema;

namespace Ecommerce.Pipeline.BigQuery.Tests;

public sealed class SinkTests : IAsyncLifetime
{
    private BigQueryStandIn _standIn = null!;

    public async Task InitializeAsync() => _standIn = await BigQueryStandIn.StartAsync();

    public async Task DisposeAsync()
    {
        Assert.Empty(_standIn.ContractViolations);
        await _standIn.DisposeAsync();
    }

    [Fact]
    public async Task Row_goes_on_the_wire_with_the_streaming_encodings()
    {
        var (_, sink) = await TestData.SinkAsync(_standIn);
        await using var _ = sink;
        var row = TestData.Row(0, id: "tx-\"1\"", price: 1234567890123456.78m);

        var result = await sink.WriteRowsAsync([row], CancellationToken.None);

        Assert.Equal(1, result.Inserted);
        Assert.Empty(result.Rejected);
        var request = Assert.Single(_standIn.InsertAlls);
        Assert.Equal("/bigquery/v2/projects/proj/datasets/ds/tables/transactions/insertAll", request.Path);
        Assert.Null(request.Authorization);
        Assert.Equal(
            "{\"skipInvalidRows\":false,\"ignoreUnknownValues\":false,\"rows\":[{\"insertId\":\"tx-\\u00221\\u0022\",\"json\":{" +
            "\"transaction_id\":\"tx-\\u00221\\u0022\",\"user_id\":\"user-0\",\"product_id\":\"prod-0\"," +
            "\"price\":\"1234567890123456.78\",\"currency\":\"EUR\",\"event_timestamp\":\"2026-11-25T17:04:05.123456Z\"," +
            "\"event_date\":\"2026-11-25\",\"payment_method\":\"credit_card\",\"payment_method_raw\":\"Credit Card\"," +
            "\"country_code\":\"FR\",\"continent\":\"EU\",\"city\":\"Paris\",\"latitude\":48.8566,\"longitude\":2.3522," +
            "\"geolocation_raw\":\"Paris, France\",\"kafka_partition\":\"3\",\"kafka_offset\":\"9007199254740993\"," +
            "\"ingested_at\":\"2026-11-25T17:04:06.000000Z\"}}]}",
            request.Text);
    }

    [Fact]
    public async Task Null_columns_are_left_out_and_every_column_name_comes_from_the_schema()
    {
        var (_, sink) = await TestData.SinkAsync(_standIn);
        await using var _ = sink;
        var row = TestData.Row(1);
        row = new Core.Model.TransactionRow
        {
            TransactionId = row.TransactionId, UserId = row.UserId, ProductId = row.ProductId, Price = row.Price,
            Currency = row.Currency, EventTimestamp = row.EventTimestamp, PaymentMethod = row.PaymentMethod,
            KafkaTopic = row.KafkaTopic, KafkaPartition = 0, KafkaOffset = 5, KafkaTimestamp = row.KafkaTimestamp,
            IngestedAt = row.IngestedAt,
        };

        await sink.WriteRowsAsync([row], CancellationToken.None);

        var json = Assert.Single(_standIn.Rows["ds.transactions"]).Value;
        var names = json.EnumerateObject().Select(p => p.Name).ToList();
        var required = PipelineSchema.Transactions.Columns.Where(c => !c.Nullable).Select(c => c.Name).ToList();
        Assert.Equal(required, names);
        Assert.Equal("0", json.GetProperty("kafka_partition").GetString());
    }

    [Fact]
    public async Task Dead_letters_go_to_their_table_keyed_by_topic_partition_offset()
    {
        var (_, sink) = await TestData.SinkAsync(_standIn);
        await using var _ = sink;

        await sink.WriteDeadLettersAsync([TestData.DeadLetter(41), TestData.DeadLetter(42)], CancellationToken.None);
        await sink.WriteDeadLettersAsync([TestData.DeadLetter(42)], CancellationToken.None); // a re-delivery

        var stored = _standIn.Rows["ds.dead_letters"];
        Assert.Equal(["transactions_stream:1:41", "transactions_stream:1:42"], stored.Keys.Order());
        var row = stored["transactions_stream:1:41"];
        Assert.Equal("malformed_json", row.GetProperty("reason").GetString());
        Assert.Equal("41", row.GetProperty("kafka_offset").GetString());
        Assert.Equal("2026-11-25T17:04:06.000000Z", row.GetProperty("failed_at").GetString());
        Assert.False(row.TryGetProperty("transaction_id", out JsonElement _));
        Assert.Equal(2, _standIn.Deliveries["transactions_stream:1:42"]);
    }

    [Fact]
    public async Task Missing_tables_are_created_from_the_schema()
    {
        var (_, sink) = await TestData.SinkAsync(_standIn);
        await using var _ = sink;

        var inserts = _standIn.Requests.Where(r => r.MethodId == "bigquery.tables.insert").ToList();
        Assert.Equal(2, inserts.Count);
        var transactions = inserts[0].Json;
        Assert.Equal("/bigquery/v2/projects/proj/datasets/ds/tables", inserts[0].Path);
        Assert.Equal("transactions", transactions.GetProperty("tableReference").GetProperty("tableId").GetString());
        Assert.Equal("DAY", transactions.GetProperty("timePartitioning").GetProperty("type").GetString());
        Assert.Equal("event_timestamp", transactions.GetProperty("timePartitioning").GetProperty("field").GetString());
        Assert.Equal("604800000", transactions.GetProperty("timePartitioning").GetProperty("expirationMs").GetString());
        Assert.True(transactions.GetProperty("requirePartitionFilter").GetBoolean());
        Assert.Equal(["country_code", "payment_method", "product_id"],
            transactions.GetProperty("clustering").GetProperty("fields").EnumerateArray().Select(e => e.GetString()));
        var fields = transactions.GetProperty("schema").GetProperty("fields").EnumerateArray().ToList();
        Assert.Equal(PipelineSchema.Transactions.Columns.Select(c => c.Name), fields.Select(f => f.GetProperty("name").GetString()));
        var price = fields.Single(f => f.GetProperty("name").GetString() == "price");
        Assert.Equal("NUMERIC", price.GetProperty("type").GetString());
        Assert.Equal("18", price.GetProperty("precision").GetString());
        Assert.Equal("REQUIRED", price.GetProperty("mode").GetString());

        var deadLetters = inserts[1].Json;
        Assert.Equal("dead_letters", deadLetters.GetProperty("tableReference").GetProperty("tableId").GetString());
        Assert.Equal("failed_at", deadLetters.GetProperty("timePartitioning").GetProperty("field").GetString());

        // A second start finds both and creates nothing.
        var (_, again) = await TestData.SinkAsync(_standIn);
        await again.DisposeAsync();
        Assert.Equal(2, _standIn.Requests.Count(r => r.MethodId == "bigquery.tables.insert"));
        Assert.Equal(4, _standIn.Requests.Count(r => r.MethodId == "bigquery.tables.get"));
    }

    [Fact]
    public async Task A_missing_dataset_fails_loudly_at_start()
    {
        _standIn.Datasets.Clear();

        var ex = await Assert.ThrowsAsync<SinkUnavailableException>(() => TestData.SinkAsync(_standIn));

        Assert.Contains("dataset not found", ex.Message, StringComparison.Ordinal);
        Assert.Contains("proj.ds.transactions", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_table_with_creation_off_fails_at_start()
    {
        var ex = await Assert.ThrowsAsync<SinkUnavailableException>(() => TestData.SinkAsync(_standIn,
            new BigQuerySinkOptions { ProjectId = "proj", DatasetId = "ds", CreateTables = false }));

        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_standIn.Requests, r => r.MethodId == "bigquery.tables.insert");
    }

    [Theory]
    [InlineData(503, "backendError")]
    [InlineData(500, "internalError")]
    [InlineData(502, "backendError")]
    [InlineData(504, "backendError")]
    [InlineData(429, "rateLimitExceeded")]
    [InlineData(403, "rateLimitExceeded")]
    public async Task Transient_failures_are_retried_until_they_succeed(int status, string reason)
    {
        var (client, sink) = await TestData.SinkAsync(_standIn);
        await using var _ = sink;
        _standIn.FailNext(status, reason, times: 2);

        var result = await sink.WriteRowsAsync(TestData.Rows(10), CancellationToken.None);

        Assert.Equal(10, result.Inserted);
        Assert.Equal(3, _standIn.InsertAlls.Count);
        Assert.Equal(2, client.Retries);
        Assert.Equal(10, _standIn.Rows["ds.transactions"].Count);
    }

    [Fact]
    public async Task A_connection_reset_mid_request_is_retried()
    {
        var (client, sink) = await TestData.SinkAsync(_standIn);
        await using var _ = sink;
        _standIn.ResetNext();

        var result = await sink.WriteRowsAsync(TestData.Rows(5), CancellationToken.None);

        Assert.Equal(5, result.Inserted);
        Assert.Equal(1, client.Retries);
        Assert.Equal(5, _standIn.Rows["ds.transactions"].Count);
    }

    [Fact]
    public async Task Invalid_is_not_retried()
    {
        var (client, sink) = await TestData.SinkAsync(_standIn);
        await using var _ = sink;
        _standIn.FailNext(400, "invalid");

        var ex = await Assert.ThrowsAsync<BigQueryException>(() => sink.WriteRowsAsync(TestData.Rows(3), CancellationToken.None));

        Assert.Equal(HttpStatusCode.BadRequest, ex.Status);
        Assert.Equal("invalid", ex.Reason);
        Assert.Single(_standIn.InsertAlls);
        Assert.Equal(0, client.Retries);
    }

    [Fact]
    public async Task Transient_failures_that_outlast_the_retries_throw()
    {
        var options = TestData.ClientOptions(_standIn.Endpoint);
        var (_, sink) = await TestData.SinkAsync(_standIn, clientOptions: new BigQueryClientOptions
        {
            Endpoint = options.Endpoint, MaxRetries = 2, RetryBaseDelay = options.RetryBaseDelay, RetryMaxDelay = options.RetryMaxDelay,
        });
        await using var _ = sink;
        _standIn.FailNext(503, "backendError", times: 3);

        var ex = await Assert.ThrowsAsync<BigQueryException>(() => sink.WriteRowsAsync(TestData.Rows(3), CancellationToken.None));

        Assert.True(ex.IsTransient);
        Assert.Equal(3, _standIn.InsertAlls.Count);
        Assert.False(_standIn.Rows.TryGetValue("ds.transactions", out var rows) && !rows.IsEmpty);
    }

    [Fact]
    public async Task QuotaExceeded_backs_off_for_seconds_and_reports_the_wait()
    {
        var clock = new TimerObservingTimeProvider(DateTimeOffset.UtcNow);
        var observer = new RecordingObserver();
        var (client, sink) = await TestData.SinkAsync(_standIn, clientOptions: new BigQueryClientOptions
        {
            Endpoint = _standIn.Endpoint, UseJitter = false, TimeProvider = clock, Observer = observer,
        });
        await using var _ = sink;
        _standIn.FailNext(403, "quotaExceeded");

        var writing = sink.WriteRowsAsync(TestData.Rows(4), CancellationToken.None);
        // The retry is counted before its delay timer exists: advancing the clock is only exact once the timer does.
        await clock.WaitForTimersAsync(1).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(1, client.Retries);
        clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(0, clock.Fired);
        Assert.Single(_standIn.InsertAlls);
        Assert.False(writing.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, clock.Fired);
        var result = await writing.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(4, result.Inserted);
        Assert.Equal(2, _standIn.InsertAlls.Count);
        var wait = Assert.Single(observer.Waits);
        Assert.Equal((BigQueryWaitReasons.QuotaExceeded, TimeSpan.FromSeconds(1)), (wait.Reason, wait.Delay));
    }

    [Fact]
    public async Task Invalid_rows_are_rejected_and_their_stopped_neighbours_re_sent()
    {
        var (_, sink) = await TestData.SinkAsync(_standIn);
        await using var _ = sink;
        _standIn.IsInvalidRow = json => json.GetProperty("transaction_id").GetString() is "tx-000003" or "tx-000007";
        var rows = TestData.Rows(10);

        var result = await sink.WriteRowsAsync(rows, CancellationToken.None);

        Assert.Equal(8, result.Inserted);
        Assert.Equal(0, result.Duplicates);
        Assert.Equal(["tx-000003", "tx-000007"], result.Rejected.Select(r => r.Row.TransactionId));
        Assert.Same(rows[3], result.Rejected[0].Row);
        Assert.Equal("invalid at json.price: Cannot convert value to numeric.", result.Rejected[0].Message);
        var sends = _standIn.InsertAlls;
        Assert.Equal(2, sends.Count);
        Assert.Equal(10, sends[0].Json.GetProperty("rows").GetArrayLength());
        // Only the stopped rows go again, not the invalid ones.
        Assert.Equal(rows.Where((_, i) => i is not (3 or 7)).Select(r => r.TransactionId),
            sends[1].Json.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("insertId").GetString()));
        Assert.Equal(8, _standIn.Rows["ds.transactions"].Count);
        Assert.All(_standIn.Deliveries.Values, n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task Requests_are_split_by_500_rows_and_sent_concurrently()
    {
        var (_, sink) = await TestData.SinkAsync(_standIn);
        await using var _ = sink;

        // The stand-in holds each insertAll until three are in flight at once: they only complete if sent concurrently.
        _standIn.HoldUntilInFlight = 3;

        var result = await sink.WriteRowsAsync(TestData.Rows(1_201), CancellationToken.None);

        Assert.Equal(1_201, result.Inserted);
        Assert.Equal(3, _standIn.MaxInFlight);
        Assert.Equal([201, 500, 500], _standIn.InsertAlls.Select(r => r.Json.GetProperty("rows").GetArrayLength()).Order());
        Assert.Equal(1_201, _standIn.Rows["ds.transactions"].Count);
        Assert.All(_standIn.Deliveries.Values, n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task A_batch_over_10_MB_is_split_under_9_MB_per_request()
    {
        var (_, sink) = await TestData.SinkAsync(_standIn,
            new BigQuerySinkOptions { ProjectId = "proj", DatasetId = "ds", MaxRowsPerRequest = 10_000 });
        await using var _ = sink;
        var payload = new string('x', Core.Model.DeadLetter.MaxPayloadBytes);
        var deadLetters = Enumerable.Range(0, 1_000).Select(i => TestData.DeadLetter(i, payload)).ToList();

        await sink.WriteDeadLettersAsync(deadLetters, CancellationToken.None);

        var sends = _standIn.InsertAlls;
        Assert.True(sends.Sum(s => s.Body.Length) > 10 * 1024 * 1024);
        Assert.True(sends.Count >= 2);
        Assert.All(sends, s => Assert.True(s.Body.Length <= 9 * 1024 * 1024, $"{s.Body.Length} bytes"));
        Assert.Equal(1_000, _standIn.Rows["ds.dead_letters"].Count);
    }

    [Fact]
    public async Task Ids_are_url_escaped_one_segment_each()
    {
        _standIn.Datasets.Add("d/s");
        var (_, sink) = await TestData.SinkAsync(_standIn,
            new BigQuerySinkOptions { ProjectId = "my proj", DatasetId = "d/s", TableId = "t?x" });
        await using var _ = sink;

        await sink.WriteRowsAsync(TestData.Rows(1), CancellationToken.None);

        Assert.Equal("/bigquery/v2/projects/my%20proj/datasets/d%2Fs/tables/t%3Fx/insertAll", _standIn.InsertAlls[0].Path);
        Assert.Single(_standIn.Rows["d/s.t?x"]);
    }

    [Fact]
    public async Task Jobs_query_sends_GoogleSQL_and_reads_the_answer()
    {
        var (client, sink) = await TestData.SinkAsync(_standIn);
        await using var _ = sink;
        await sink.WriteRowsAsync(TestData.Rows(3), CancellationToken.None);

        var response = await client.QueryAsync("proj", new QueryRequest
        {
            Query = "SELECT COUNT(*) AS n FROM `proj.ds.transactions` WHERE event_timestamp > TIMESTAMP '2026-01-01'",
            TimeoutMs = 10_000,
        }, CancellationToken.None);

        var request = _standIn.Requests.Single(r => r.MethodId == "bigquery.jobs.query");
        Assert.False(request.Json.GetProperty("useLegacySql").GetBoolean());
        Assert.True(response.JobComplete);
        Assert.Equal("3", response.Rows![0].Cells![0].Value.GetString());
        Assert.Equal("1", response.TotalRows);
    }

    [Fact]
    public async Task Nothing_is_sent_for_empty_input()
    {
        var (_, sink) = await TestData.SinkAsync(_standIn);
        await using var _ = sink;

        var result = await sink.WriteRowsAsync([], CancellationToken.None);
        await sink.WriteDeadLettersAsync([], CancellationToken.None);

        Assert.Equal(0, result.Inserted);
        Assert.Empty(_standIn.InsertAlls);
    }
}

public sealed class DependencyInjectionTests
{
    [Fact]
    public async Task The_sink_resolves_from_DI_and_writes_through_the_factory_client()
    {
        await using var standIn = await BigQueryStandIn.StartAsync();
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        services.AddBigQuerySink(new BigQuerySinkOptions { ProjectId = "proj", DatasetId = "ds" },
            TestData.ClientOptions(standIn.Endpoint));
        await using var provider = Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(services);

        var sink = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<BigQuerySink>(provider);
        var result = await sink.WriteRowsAsync(TestData.Rows(2), CancellationToken.None);

        Assert.Equal(2, result.Inserted);
        Assert.Equal(2, standIn.Rows["ds.transactions"].Count);
        Assert.Empty(standIn.ContractViolations);
    }
}

public sealed class TableLossTests
{
    [Fact]
    public async Task A_dataset_deleted_while_running_stops_the_processor()
    {
        await using var standIn = await BigQueryStandIn.StartAsync();
        standIn.CreateTable("ds", "transactions");
        standIn.CreateTable("ds", "dead_letters");
        var (_, sink) = await TestData.SinkAsync(standIn);
        await using var _ = sink;
        await sink.WriteRowsAsync(TestData.Rows(2), CancellationToken.None);
        standIn.Tables.Clear();
        standIn.Datasets.Clear();

        var ex = await Assert.ThrowsAsync<SinkUnavailableException>(() => sink.WriteRowsAsync(TestData.Rows(3), CancellationToken.None));

        Assert.Contains("BigQuery table proj.ds.transactions is gone", ex.Message, StringComparison.Ordinal);
        Assert.Empty(standIn.ContractViolations);
    }

    [Fact]
    public async Task A_table_deleted_while_running_stops_the_processor_and_is_not_recreated()
    {
        await using var standIn = await BigQueryStandIn.StartAsync();
        standIn.CreateTable("ds", "transactions");
        standIn.CreateTable("ds", "dead_letters");
        var (_, sink) = await TestData.SinkAsync(standIn);
        await using var _ = sink;
        await sink.WriteRowsAsync(TestData.Rows(2), CancellationToken.None);
        standIn.DeleteTable("ds", "transactions");

        var ex = await Assert.ThrowsAsync<SinkUnavailableException>(() => sink.WriteRowsAsync(TestData.Rows(3), CancellationToken.None));
        // The host stops on this exception; were it to call again, the sink still refuses rather than re-creating.
        await Assert.ThrowsAsync<SinkUnavailableException>(() => sink.WriteRowsAsync(TestData.Rows(3), CancellationToken.None));

        Assert.Contains("proj.ds.transactions", ex.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, Assert.IsType<BigQueryException>(ex.InnerException).Status);
        Assert.False(standIn.Tables.ContainsKey("ds.transactions"));
        Assert.Equal(0, standIn.Requests.Count(r => r.MethodId == "bigquery.tables.insert"));
        Assert.Empty(standIn.ContractViolations);
    }
}
