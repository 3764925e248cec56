using System.Globalization;
using Ecommerce.Pipeline.BigQuery.Rest;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.TestSupport;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>
/// The sink against each of the stand-in's realism switches: what the real service does that a kind stand-in does not
/// (payload limit, new-table 404s, re-created tables, token expiry, throttling, best-effort dedup, latency).
/// </summary>
public sealed class ServiceBehaviourTests : StandInTests
{
    [Fact]
    public async Task A_request_over_the_payload_limit_is_split_in_halves_and_never_resent_unchanged()
    {
        StandIn.MaxRequestBytes = 6_000;
        var observer = new RecordingObserver();
        var (_, sink) = await TestData.SinkAsync(StandIn, clientOptions: Options(observer));
        await using var _ = sink;
        var rows = TestData.Rows(40); // ~700 bytes each: one 28 KB request, refused

        var result = await sink.WriteRowsAsync(rows, CancellationToken.None);

        Assert.Equal(40, result.Inserted);
        Assert.Empty(result.Rejected);
        Assert.Equal(rows.Select(r => r.TransactionId).Order(), StandIn.Rows["ds.transactions"].Keys.Order());
        var bodies = StandIn.InsertAlls.Select(r => r.Text).ToList();
        Assert.Equal(bodies.Count, bodies.Distinct().Count()); // no request was sent twice as it was
        Assert.Contains(bodies, b => b.Length > 6_000);
        Assert.Contains(observer.Notices, n => n.Contains("sending it as two halves", StringComparison.Ordinal));

        // What was refused is remembered: the next batch goes out in requests that fit, none refused.
        var before = StandIn.InsertAlls.Count;
        await sink.WriteRowsAsync(TestData.Rows(80).Skip(40).ToList(), CancellationToken.None);
        Assert.All(StandIn.InsertAlls.Skip(before), r => Assert.InRange(r.Body.Length, 1, 6_000));
        Assert.Equal(80, StandIn.Rows["ds.transactions"].Count);
    }

    [Fact]
    public async Task A_single_row_too_big_for_any_request_is_rejected_and_its_neighbours_are_stored()
    {
        StandIn.MaxRequestBytes = 4_000;
        var (_, sink) = await TestData.SinkAsync(StandIn);
        await using var _ = sink;
        var rows = TestData.Rows(10);
        var big = TestData.Row(99, id: "tx-big");
        big = new TransactionRow
        {
            TransactionId = big.TransactionId, UserId = big.UserId, ProductId = new string('p', 5_000), Price = big.Price,
            Currency = big.Currency, EventTimestamp = big.EventTimestamp, PaymentMethod = big.PaymentMethod,
            KafkaTopic = big.KafkaTopic, KafkaPartition = big.KafkaPartition, KafkaOffset = big.KafkaOffset,
            KafkaTimestamp = big.KafkaTimestamp, IngestedAt = big.IngestedAt, SourceIndex = 10,
        };
        rows.Insert(5, big);

        var result = await sink.WriteRowsAsync(rows, CancellationToken.None);

        var rejection = Assert.Single(result.Rejected);
        Assert.Equal("tx-big", rejection.Row.TransactionId);
        Assert.StartsWith("row too large", rejection.Message, StringComparison.Ordinal);
        Assert.Contains("Request payload size exceeds the limit: 4000 bytes.", rejection.Message, StringComparison.Ordinal);
        Assert.Equal(10, result.Inserted);
        Assert.Equal(10, StandIn.Rows["ds.transactions"].Count);
        Assert.DoesNotContain("tx-big", StandIn.Rows["ds.transactions"].Keys);
        var bodies = StandIn.InsertAlls.Select(r => r.Text).ToList();
        Assert.Equal(bodies.Count, bodies.Distinct().Count());
    }

    [Fact]
    public async Task A_dead_letter_too_large_even_alone_is_stored_with_its_payload_cut_not_retried_for_ever()
    {
        StandIn.MaxRequestBytes = 20_000;
        var (_, sink) = await TestData.SinkAsync(StandIn);
        await using var _ = sink;
        var payload = new string('"', 16 * 1024); // each '"' is 6 bytes on the wire (\u0022): ~98 KB alone

        await sink.WriteDeadLettersAsync([TestData.DeadLetter(7, payload), TestData.DeadLetter(8)], CancellationToken.None);

        var stored = StandIn.Rows["ds.dead_letters"];
        Assert.Equal(["transactions_stream:1:7", "transactions_stream:1:8"], stored.Keys.Order());
        var cut = stored["transactions_stream:1:7"];
        Assert.Equal(new string('"', 1024), cut.GetProperty("payload").GetString());
        Assert.Contains("payload cut to its first 1024 characters", cut.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("{not json", stored["transactions_stream:1:8"].GetProperty("payload").GetString());
    }

    [Fact]
    public async Task Dead_letter_insertIds_stay_within_128_characters_and_distinct()
    {
        var (_, sink) = await TestData.SinkAsync(StandIn);
        await using var _ = sink;
        var topic = new string('t', 249); // Kafka's longest topic name
        DeadLetter At(long offset) => StoredDeadLetters.At(offset, TestData.Ingested, partition: 1, topic: topic);

        await sink.WriteDeadLettersAsync([At(1), At(2)], CancellationToken.None);
        await sink.WriteDeadLettersAsync([At(2)], CancellationToken.None); // a re-delivery keeps its id

        var ids = StandIn.Rows["ds.dead_letters"].Keys.ToList();
        Assert.Equal(2, ids.Count);
        Assert.All(ids, id => Assert.InRange(id.Length, 1, 128));
        Assert.Equal(2, StandIn.Deliveries.Where(d => ids.Contains(d.Key)).Max(d => d.Value));
        Assert.Equal(topic, StandIn.Rows["ds.dead_letters"].Values.First().GetProperty("kafka_topic").GetString());
    }

    [Fact]
    public async Task A_table_created_moments_ago_is_waited_for_with_backoff_and_then_written()
    {
        var clock = new TimerObservingTimeProvider(DateTimeOffset.UtcNow);
        StandIn.Clock = clock;
        StandIn.NotFoundAfterCreate = TimeSpan.FromMinutes(2);
        var observer = new RecordingObserver();
        var (_, sink) = await TestData.SinkAsync(StandIn, clientOptions: Options(observer, clock));
        await using var _ = sink;

        var result = await DriveAsync(clock, () => sink.WriteRowsAsync(TestData.Rows(5), CancellationToken.None));

        Assert.Equal(5, result.Inserted);
        Assert.Equal(5, StandIn.Rows["ds.transactions"].Count);
        Assert.NotEmpty(observer.Waits);
        Assert.All(observer.Waits, w => Assert.Equal(BigQueryWaitReasons.TableNotReady, w.Reason));
        Assert.All(observer.Waits, w => Assert.Contains("waiting for BigQuery table proj.ds.transactions", w.Detail, StringComparison.Ordinal));
        Assert.All(observer.Waits, w => Assert.InRange(w.Delay, TimeSpan.Zero, TimeSpan.FromSeconds(30)));
        Assert.True(observer.Waits.Sum(w => w.Delay.TotalSeconds) >= 120, "the writes went through before the 404 window closed");
    }

    [Fact]
    public async Task A_new_table_that_never_appears_stops_the_processor_after_the_wait()
    {
        var clock = new TimerObservingTimeProvider(DateTimeOffset.UtcNow);
        StandIn.Clock = clock;
        StandIn.NotFoundAfterCreate = TimeSpan.FromHours(1);
        var (_, sink) = await TestData.SinkAsync(StandIn, new BigQuerySinkOptions
        {
            ProjectId = "proj", DatasetId = "ds", NewTableWait = TimeSpan.FromMinutes(3),
        }, Options(new RecordingObserver(), clock));
        await using var _ = sink;

        var ex = await Assert.ThrowsAsync<SinkUnavailableException>(() =>
            DriveAsync(clock, () => sink.WriteRowsAsync(TestData.Rows(5), CancellationToken.None)));

        Assert.Contains("BigQuery table proj.ds.transactions still answers insertAll with 404", ex.Message, StringComparison.Ordinal);
        Assert.False(StandIn.Rows.TryGetValue("ds.transactions", out var rows) && !rows.IsEmpty);
    }

    [Fact]
    public async Task A_table_recreated_under_the_same_name_drops_rows_silently_for_a_while()
    {
        // Why a table that vanishes stops the processor instead of being re-created: rows sent to the new table within
        // the window are answered 200 and lost.
        StandIn.CreateTable("ds", "transactions");
        StandIn.CreateTable("ds", "dead_letters");
        StandIn.DropsAfterRecreate = TimeSpan.FromMinutes(5);
        var (client, sink) = await TestData.SinkAsync(StandIn);
        await using var _ = sink;
        await sink.WriteRowsAsync(TestData.Rows(2), CancellationToken.None);

        StandIn.DeleteTable("ds", "transactions");
        await Assert.ThrowsAsync<SinkUnavailableException>(() => sink.WriteRowsAsync(TestData.Rows(4), CancellationToken.None));
        await client.InsertTableAsync(BigQueryTables.Transactions("proj", "ds"), CancellationToken.None); // the operator re-creates it

        var blind = await client.InsertAllAsync("proj", "ds", "transactions",
            "{\"rows\":[{\"insertId\":\"x\",\"json\":{\"transaction_id\":\"x\"}}]}"u8.ToArray(), CancellationToken.None);

        Assert.Null(blind.InsertErrors); // 200, no row errors ...
        Assert.Equal(1, StandIn.SilentlyDropped); // ... and nothing stored
        Assert.False(StandIn.Rows.TryGetValue("ds.transactions", out var rows) && !rows.IsEmpty);
    }

    [Fact]
    public async Task An_expired_token_is_refreshed_once_and_the_write_goes_through()
    {
        var tokens = new SequenceTokens();
        var valid = new HashSet<string> { "token-1" };
        StandIn.AcceptToken = t => t is not null && valid.Contains(t);
        var observer = new RecordingObserver();
        await using var sink = await CredentialSinkAsync(tokens, observer);
        await sink.WriteRowsAsync(TestData.Rows(2), CancellationToken.None);

        valid.Clear();
        valid.Add("token-2"); // token-1 expired early (or was revoked)
        var result = await sink.WriteRowsAsync(TestData.Rows(4).Skip(2).ToList(), CancellationToken.None);

        Assert.Equal(2, result.Inserted);
        Assert.Equal(1, tokens.Refreshes);
        Assert.Equal(4, StandIn.Rows["ds.transactions"].Count);
        Assert.Equal("Bearer token-2", StandIn.InsertAlls[^1].Authorization);
        Assert.Contains(observer.Notices, n => n.Contains("refreshing it once", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Writes_side_by_side_that_meet_the_same_expired_token_share_one_refresh()
    {
        var tokens = new SequenceTokens();
        var valid = new HashSet<string> { "token-1" };
        StandIn.AcceptToken = t => { lock (valid) { return t is not null && valid.Contains(t); } };
        await using var sink = await CredentialSinkAsync(tokens, new RecordingObserver());
        lock (valid)
        {
            valid.Clear();
            valid.Add("token-2");
        }

        // The refresh waits until all four writes have sent token-1 (bounded by a minute: a loaded machine may start them
        // seconds apart), so all four meet the expired token.
        tokens.HoldRefreshUntilHandedOut(tokens.HandedOut + 4);

        var rows = TestData.Rows(8);
        var results = await Task.WhenAll(Enumerable.Range(0, 4)
            .Select(i => sink.WriteRowsAsync(rows.Skip(2 * i).Take(2).ToList(), CancellationToken.None)));

        Assert.All(results, r => Assert.Equal(2, r.Inserted));
        Assert.Equal(1, tokens.Refreshes);
        Assert.Equal(8, StandIn.Rows["ds.transactions"].Count);
        Assert.Equal(4, StandIn.InsertAlls.Count(r => r.Authorization == "Bearer token-1"));
    }

    [Fact]
    public async Task A_401_that_outlives_one_refresh_stops_the_processor()
    {
        var tokens = new SequenceTokens();
        var refusing = false;
        StandIn.AcceptToken = _ => !refusing;
        await using var sink = await CredentialSinkAsync(tokens, new RecordingObserver());
        refusing = true;

        var ex = await Assert.ThrowsAsync<SinkUnavailableException>(() => sink.WriteRowsAsync(TestData.Rows(2), CancellationToken.None));

        Assert.Contains("HTTP 401", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, tokens.Refreshes);
        Assert.Equal(2, StandIn.InsertAlls.Count);
        Assert.False(StandIn.Rows.TryGetValue("ds.transactions", out var rows) && !rows.IsEmpty);
    }

    [Fact]
    public async Task The_lazy_credential_lookup_does_not_keep_a_failure()
    {
        var lookups = 0;
        var source = new LazyApplicationDefaultTokenSource(_ =>
        {
            // The metadata server is not ready in a pod's first seconds: the first lookup fails.
            return ++lookups == 1
                ? Task.FromException<IAccessTokenSource>(new BigQueryException("metadata server not ready"))
                : Task.FromResult<IAccessTokenSource>(new SequenceTokens());
        });

        await Assert.ThrowsAsync<BigQueryException>(() => source.GetAccessTokenAsync(CancellationToken.None));
        var token = await source.GetAccessTokenAsync(CancellationToken.None);
        var again = await source.GetAccessTokenAsync(CancellationToken.None);

        Assert.Equal("token-1", token);
        Assert.Equal("token-1", again);
        Assert.Equal(2, lookups);
    }

    [Fact]
    public async Task Throttling_backs_off_in_seconds_with_jitter_and_a_cap_and_is_reported()
    {
        var clock = new TimerObservingTimeProvider(DateTimeOffset.UtcNow);
        var observer = new RecordingObserver();
        var (_, sink) = await TestData.SinkAsync(StandIn, clientOptions: new BigQueryClientOptions
        {
            Endpoint = StandIn.Endpoint, TimeProvider = clock, Observer = observer,
        });
        await using var _ = sink;
        StandIn.ThrottleInsertAlls(403, "quotaExceeded", 3);
        StandIn.ThrottleInsertAlls(429, "rateLimitExceeded", 4);

        var result = await DriveAsync(clock, () => sink.WriteRowsAsync(TestData.Rows(5), CancellationToken.None));

        Assert.Equal(5, result.Inserted);
        Assert.Equal(8, StandIn.InsertAlls.Count);
        Assert.Equal([.. Enumerable.Repeat(BigQueryWaitReasons.QuotaExceeded, 3), .. Enumerable.Repeat(BigQueryWaitReasons.RateLimitExceeded, 4)],
            observer.Waits.Select(w => w.Reason));
        Assert.All(observer.Waits, w => Assert.InRange(w.Delay, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(30)));
        Assert.True(observer.Waits.Sum(w => w.Delay.TotalSeconds) > 1, "backoff in seconds, not milliseconds");
    }

    [Fact]
    public async Task Best_effort_dedup_leaves_copies_after_its_window_and_the_dedup_order_keeps_the_first_read()
    {
        var clock = new TimerObservingTimeProvider(DateTimeOffset.UtcNow);
        StandIn.Clock = clock;
        StandIn.DedupWindow = TimeSpan.FromMinutes(1);
        StandIn.DedupSeed = 7;
        var (_, sink) = await TestData.SinkAsync(StandIn);
        await using var _ = sink;
        var first = TestData.Rows(20);
        // The same transactions read again from another partition (a producer retry), within the window and after it.
        List<TransactionRow> Reread(int partition) => [.. first.Select(r => Copy(r, partition))];

        await sink.WriteRowsAsync(first, CancellationToken.None);
        await sink.WriteRowsAsync(Reread(5), CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(2));
        await sink.WriteRowsAsync(Reread(7), CancellationToken.None);

        var live = StandIn.LiveRows("ds.transactions");
        Assert.Equal(40, live.Count); // within the window: absorbed; after it: a second row per id
        var partitions = live.Select(r => r.GetProperty("kafka_partition").GetString()).ToList();
        Assert.Contains("5", partitions); // an arbitrary copy survived the window's dedup for some ids ...
        Assert.Contains("3", partitions); // ... and the first copy for others
        // What the view and compaction keep: per id, the first by Kafka partition, then offset.
        var winners = live.GroupBy(r => r.GetProperty("transaction_id").GetString())
            .Select(g => g.OrderBy(r => long.Parse(r.GetProperty("kafka_partition").GetString()!, CultureInfo.InvariantCulture))
                .ThenBy(r => long.Parse(r.GetProperty("kafka_offset").GetString()!, CultureInfo.InvariantCulture)).First())
            .ToList();
        Assert.Equal(20, winners.Count);
        Assert.All(winners, w => Assert.NotEqual("7", w.GetProperty("kafka_partition").GetString()));
        Assert.Equal(["kafka_partition", "kafka_offset", "ingested_at"], DedupOrder.Columns);
    }

    [Fact]
    public async Task Under_log_normal_latency_requests_overlap_and_every_row_is_stored()
    {
        StandIn.Latency = new LogNormalLatency(TimeSpan.FromMilliseconds(40), 0.5, seed: 3);
        var (_, sink) = await TestData.SinkAsync(StandIn, new BigQuerySinkOptions
        {
            ProjectId = "proj", DatasetId = "ds", MaxRowsPerRequest = 50,
        });
        await using var _ = sink;

        var result = await sink.WriteRowsAsync(TestData.Rows(800), CancellationToken.None);

        Assert.Equal(800, result.Inserted);
        Assert.Equal(800, StandIn.Rows["ds.transactions"].Count);
        Assert.Equal(16, StandIn.InsertAlls.Count);
        Assert.True(StandIn.MaxInFlight > 1, "the sink's requests did not overlap");
    }

    private BigQueryClientOptions Options(IBigQueryObserver observer, TimeProvider? clock = null) => new()
    {
        Endpoint = StandIn.Endpoint, TimeProvider = clock ?? TimeProvider.System, Observer = observer,
        RetryBaseDelay = TimeSpan.FromMilliseconds(1), RetryMaxDelay = TimeSpan.FromMilliseconds(5),
        RequestTimeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>A sink whose client sends bearer tokens (credential mode), with tables found at start.</summary>
    private async Task<BigQuerySink> CredentialSinkAsync(IAccessTokenSource tokens, IBigQueryObserver observer)
    {
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var client = new BigQueryClient(http, Options(observer), tokens, ownsHttp: true);
        var sink = new BigQuerySink(client, new BigQuerySinkOptions { ProjectId = "proj", DatasetId = "ds" }, ownsClient: true);
        await sink.EnsureTablesAsync(CancellationToken.None);
        return sink;
    }

    /// <summary>
    /// Starts the work (<paramref name="start"/>) and runs it to its end on the fake clock: each time it starts a wait, the clock moves by exactly
    /// that wait. No real time passes for the waits.
    /// </summary>
    private static async Task<T> DriveAsync<T>(TimerObservingTimeProvider clock, Func<Task<T>> start)
    {
        // Counted before the work starts: on a loaded machine its first backoff timer can exist before this line runs.
        var seen = clock.DueTimes.Count;
        var work = start();
        for (var step = 0; step < 10_000 && !work.IsCompleted; step++)
        {
            var next = clock.WaitForTimersAsync(seen + 1);
            if (await Task.WhenAny(work, next).WaitAsync(TimeSpan.FromSeconds(60)) == work)
            {
                break;
            }

            clock.Advance(clock.DueTimes[seen]);
            seen++;
        }

        return await work.WaitAsync(TimeSpan.FromSeconds(60));
    }

    private static TransactionRow Copy(TransactionRow row, int partition) => new()
    {
        TransactionId = row.TransactionId, UserId = row.UserId, ProductId = row.ProductId, Price = row.Price,
        Currency = row.Currency, EventTimestamp = row.EventTimestamp, PaymentMethod = row.PaymentMethod,
        KafkaTopic = row.KafkaTopic, KafkaPartition = partition, KafkaOffset = row.KafkaOffset,
        KafkaTimestamp = row.KafkaTimestamp, IngestedAt = row.IngestedAt.AddSeconds(1), SourceIndex = row.SourceIndex,
    };

    /// <summary>Hands out token-1, then a new token after each refresh.</summary>
    private sealed class SequenceTokens : IAccessTokenSource
    {
        private readonly TaskCompletionSource _handedOut = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _refreshes;
        private int _handOuts;
        private int _holdUntil;

        public int Refreshes => Volatile.Read(ref _refreshes);

        public int HandedOut => Volatile.Read(ref _handOuts);

        /// <summary>Refreshes wait (at most 10 s) until this many tokens were handed out in all.</summary>
        public void HoldRefreshUntilHandedOut(int count) => _holdUntil = count;

        public Task<string> GetAccessTokenAsync(CancellationToken cancellationToken)
        {
            var token = "token-" + (Refreshes + 1).ToString(CultureInfo.InvariantCulture);
            if (Interlocked.Increment(ref _handOuts) >= _holdUntil)
            {
                _handedOut.TrySetResult();
            }

            return Task.FromResult(token);
        }

        public async Task RefreshAsync(CancellationToken cancellationToken)
        {
            if (_holdUntil > 0)
            {
                await _handedOut.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default);
            }

            Interlocked.Increment(ref _refreshes);
        }
    }
}
