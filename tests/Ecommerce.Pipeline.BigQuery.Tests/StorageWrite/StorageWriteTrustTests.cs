using Ecommerce.Pipeline.BigQuery.StorageWrite;
using Ecommerce.Pipeline.Core.Model;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Ecommerce.Pipeline.BigQuery.Tests.StorageWrite;

/// <summary>
/// The exactly-once sink on a host that reports no assignments (the Functions host), with a trust window: batches
/// that continue this sink's own are written without a watermark query; every other batch reads the watermark, so
/// nothing is stored twice. The clock is fake: the window passes without waiting.
/// </summary>
[Trait("Category", "Integration")]
public sealed class StorageWriteTrustTests : IAsyncLifetime
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private StorageSinkKit _kit = null!;

    public async Task InitializeAsync() => _kit = await StorageSinkKit.StartAsync();

    public Task DisposeAsync() => _kit.CheckAndDisposeAsync();

    private Task<StorageWriteSink> SinkAsync(int maxReconnects = 8) =>
        _kit.SinkAsync(_kit.Options(watermarkTrust: Window, clock: _clock, maxReconnects: maxReconnects));

    private int Queries => _kit.Rest.Queries.Count;

    [Fact]
    public async Task Contiguous_batches_on_one_instance_read_the_watermarks_once_and_keep_their_streams()
    {
        var sink = await SinkAsync();
        Assert.Equal(WatermarkPolicy.WhileContiguous, sink.Watermarks);
        for (var batch = 0; batch < 5; batch++)
        {
            // Partition 0 has a dead letter in every batch; partition 1 only rows.
            var from = batch * 10L;
            List<TransactionRow> rows = [.. StorageSinkKit.Rows(0, from, 9), .. StorageSinkKit.Rows(1, from, 10)];
            await StorageSinkKit.StoreBatchAsync(sink, rows, [StorageSinkKit.DeadLetter(0, from + 9)]);
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        // One query per table, for the first batch; none after.
        Assert.Equal(2, Queries);
        Assert.Equal(95, _kit.Stored("transactions").Count);
        Assert.All(_kit.Copies("transactions", "transaction_id"), c => Assert.Equal(1, c.Value));
        Assert.Equal(5, _kit.Stored("dead_letters").Count);
        Assert.Equal(3, sink.StreamsCreated); // rows of 0 and 1, dead letters of 0: not one per batch
    }

    [Fact]
    public async Task A_redelivered_batch_reads_the_watermark_and_adds_nothing()
    {
        var sink = await SinkAsync();
        await sink.WriteRowsAsync(StorageSinkKit.Rows(0, 0, 10), CancellationToken.None);
        await sink.WriteRowsAsync(StorageSinkKit.Rows(0, 10, 10), CancellationToken.None);
        Assert.Equal(1, Queries);

        var again = await sink.WriteRowsAsync(StorageSinkKit.Rows(0, 10, 10), CancellationToken.None);
        var next = await sink.WriteRowsAsync(StorageSinkKit.Rows(0, 20, 10), CancellationToken.None);

        Assert.Equal((0, 10), (again.Inserted, again.Duplicates));
        Assert.Equal((10, 0), (next.Inserted, next.Duplicates));
        Assert.True(Queries >= 2, "the redelivered batch read the watermark");
        Assert.Equal(30, _kit.Stored("transactions").Count);
        Assert.All(_kit.Copies("transactions", "transaction_id"), c => Assert.Equal(1, c.Value));
    }

    [Fact]
    public async Task A_gap_reads_the_watermark_and_stores_only_what_another_instance_did_not()
    {
        var a = await SinkAsync();
        var b = await SinkAsync();
        await a.WriteRowsAsync(StorageSinkKit.Rows(0, 0, 10), CancellationToken.None);
        // The partition moved to B, which stored up to 24 and committed up to 20; it is back on A from there.
        await b.WriteRowsAsync(StorageSinkKit.Rows(0, 10, 15), CancellationToken.None);
        var before = Queries;

        var back = await a.WriteRowsAsync(StorageSinkKit.Rows(0, 20, 10), CancellationToken.None);

        Assert.Equal(before + 1, Queries);
        Assert.Equal((5, 5), (back.Inserted, back.Duplicates));
        Assert.Equal(30, _kit.Stored("transactions").Count);
        Assert.All(_kit.Copies("transactions", "transaction_id"), c => Assert.Equal(1, c.Value));
    }

    [Fact]
    public async Task The_residual_case_stores_what_the_other_instance_wrote_uncommitted_and_after_the_window_nothing()
    {
        var a = await SinkAsync();
        var b = await SinkAsync();
        await a.WriteRowsAsync(StorageSinkKit.Rows(0, 0, 10), CancellationToken.None);
        await a.WriteRowsAsync(StorageSinkKit.Rows(1, 0, 10), CancellationToken.None);
        // Both partitions move to B, which stores 10..19 of each and none of its commits lands; they are back on A at
        // exactly A's next offset. Partition 0 comes back within the window, partition 1 after it.
        await b.WriteRowsAsync([.. StorageSinkKit.Rows(0, 10, 10), .. StorageSinkKit.Rows(1, 10, 10)], CancellationToken.None);

        var within = await a.WriteRowsAsync(StorageSinkKit.Rows(0, 10, 10), CancellationToken.None);
        _clock.Advance(Window);
        var after = await a.WriteRowsAsync(StorageSinkKit.Rows(1, 10, 10), CancellationToken.None);

        // Within the window: B's uncommitted rows of partition 0 are stored twice, and no more than those.
        Assert.Equal((10, 0), (within.Inserted, within.Duplicates));
        var copies = _kit.Copies("transactions", "transaction_id");
        Assert.Equal(40, copies.Count);
        Assert.Equal([.. Enumerable.Range(10, 10).Select(o => $"tx-0-{o}")], copies.Where(c => c.Value > 1).Select(c => c.Key).Order());
        Assert.All(copies.Where(c => c.Value > 1), c => Assert.Equal(2, c.Value));
        // After it: the watermark is read, nothing is stored twice.
        Assert.Equal((0, 10), (after.Inserted, after.Duplicates));
        Assert.All(copies.Where(c => c.Key.StartsWith("tx-1-", StringComparison.Ordinal)), c => Assert.Equal(1, c.Value));
    }

    [Fact]
    public async Task A_watermark_read_for_a_batch_s_event_days_is_not_trusted_past_that_batch()
    {
        var a = await SinkAsync();
        var b = await SinkAsync();
        await a.WriteRowsAsync(StorageSinkKit.Rows(0, 0, 10), CancellationToken.None);
        // B stored 10..29; 20..29 are events of two days ago, so a query bounded to today's events does not see them.
        var older = StorageSinkKit.Rows(0, 20, 10, DateTime.UtcNow.AddDays(-2));
        await b.WriteRowsAsync([.. StorageSinkKit.Rows(0, 10, 10), .. older], CancellationToken.None);
        _clock.Advance(Window);

        // Back on A after the window: read, all stored. The next batch continues it within the window, but the
        // watermark A read ends at 19, not at what the table holds: it is read again, for that batch's days.
        var back = await a.WriteRowsAsync(StorageSinkKit.Rows(0, 10, 10), CancellationToken.None);
        var next = await a.WriteRowsAsync(older, CancellationToken.None);

        Assert.Equal((0, 10), (back.Inserted, back.Duplicates));
        Assert.Equal((0, 10), (next.Inserted, next.Duplicates));
        Assert.Equal(30, _kit.Stored("transactions").Count);
        Assert.All(_kit.Copies("transactions", "transaction_id"), c => Assert.Equal(1, c.Value));
    }

    [Fact]
    public async Task A_batch_after_a_failed_append_reads_the_watermark_and_stores_nothing_twice()
    {
        // One reconnect, and the connection reset after the service applied the append each time: the batch fails with
        // its rows stored, as when the answer is lost for good.
        var sink = await SinkAsync(maxReconnects: 1);
        await sink.WriteRowsAsync(StorageSinkKit.Rows(0, 0, 10), CancellationToken.None);
        _kit.Write.InjectFault(StorageWriteFault.ResetAfterApply, times: 2);
        await Assert.ThrowsAnyAsync<Exception>(() => sink.WriteRowsAsync(StorageSinkKit.Rows(0, 10, 10), CancellationToken.None));
        var before = Queries;

        var retried = await sink.WriteRowsAsync(StorageSinkKit.Rows(0, 10, 10), CancellationToken.None);
        var next = await sink.WriteRowsAsync(StorageSinkKit.Rows(0, 20, 10), CancellationToken.None);

        Assert.Equal(2, _kit.Write.FaultsInjected[StorageWriteFault.ResetAfterApply]);
        Assert.True(Queries > before, "the retry read the watermark");
        Assert.Equal((0, 10), (retried.Inserted, retried.Duplicates));
        Assert.Equal((10, 0), (next.Inserted, next.Duplicates));
        Assert.Equal(30, _kit.Stored("transactions").Count);
        Assert.All(_kit.Copies("transactions", "transaction_id"), c => Assert.Equal(1, c.Value));
    }

    [Fact]
    public async Task With_no_window_every_batch_reads_the_watermark()
    {
        var sink = await _kit.SinkAsync(_kit.Options(watermarkTrust: TimeSpan.Zero, clock: _clock));
        Assert.Equal(WatermarkPolicy.EveryBatch, sink.Watermarks);
        for (var batch = 0; batch < 4; batch++)
        {
            await StorageSinkKit.StoreBatchAsync(sink, StorageSinkKit.Rows(0, batch * 10L, 9), [StorageSinkKit.DeadLetter(0, batch * 10L + 9)]);
        }

        Assert.Equal(8, Queries); // both tables, every batch
        Assert.Equal(36, _kit.Stored("transactions").Count);
        Assert.Equal(2, sink.StreamsCreated);
    }

    [Fact]
    public async Task The_transactions_query_is_bounded_to_the_batch_offsets_and_event_days()
    {
        var sink = await SinkAsync();
        List<TransactionRow> rows = [.. StorageSinkKit.Rows(3, 40, 5), .. StorageSinkKit.Rows(1, 7, 2)];

        await sink.WriteRowsAsync(rows, CancellationToken.None);

        var day = DateOnly.FromDateTime(rows.Min(r => r.EventTimestamp));
        var last = DateOnly.FromDateTime(rows.Max(r => r.EventTimestamp)).AddDays(1);
        Assert.Equal(
            "SELECT kafka_partition, MAX(kafka_offset) AS max_offset FROM `proj.ds.transactions` WHERE " +
            "((kafka_partition = 1 AND kafka_offset >= 7) OR (kafka_partition = 3 AND kafka_offset >= 40)) " +
            $"AND event_timestamp >= TIMESTAMP('{day:yyyy-MM-dd}') AND event_timestamp < TIMESTAMP('{last:yyyy-MM-dd}') GROUP BY kafka_partition",
            Assert.Single(_kit.Rest.Queries));
    }
}
