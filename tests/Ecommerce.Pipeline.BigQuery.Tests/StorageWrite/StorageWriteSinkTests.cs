using Ecommerce.Pipeline.BigQuery.StorageWrite;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.TestSupport;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Ecommerce.Pipeline.BigQuery.Tests.StorageWrite;

[Trait("Category", "Integration")]
public sealed class StorageWriteSinkTests : IAsyncLifetime
{
    private StorageSinkKit _kit = null!;

    public async Task InitializeAsync() => _kit = await StorageSinkKit.StartAsync();

    public async Task DisposeAsync()
    {
        Assert.Equal([], _kit.Write.ContractViolations);
        Assert.Empty(_kit.Rest.ContractViolations);
        await _kit.DisposeAsync();
    }

    [Fact]
    public async Task A_second_processor_rewriting_a_batch_after_a_crash_adds_nothing_and_stores_only_what_is_new()
    {
        List<TransactionRow> batch = [.. StorageSinkKit.Rows(0, 100, 20), .. StorageSinkKit.Rows(3, 7, 5)];
        List<DeadLetter> deadLetters = [StorageSinkKit.DeadLetter(0, 120), StorageSinkKit.DeadLetter(3, 12)];
        var first = await _kit.SinkAsync();
        await first.PartitionsAssignedAsync([0, 3], CancellationToken.None);
        var written = await first.WriteBatchAsync(batch, deadLetters, CancellationToken.None);
        Assert.Equal((25, 0), (written.Inserted, written.Duplicates));

        // The first processor dies without releasing anything; the next one is assigned the partitions and gets the
        // uncommitted batch again, plus newer records.
        var second = await _kit.SinkAsync();
        await second.PartitionsAssignedAsync([0, 3], CancellationToken.None);
        List<TransactionRow> redelivered = [.. batch, .. StorageSinkKit.Rows(0, 121, 3)];
        var again = await second.WriteBatchAsync(redelivered, [.. deadLetters, StorageSinkKit.DeadLetter(3, 13)], CancellationToken.None);

        Assert.Equal((3, 25), (again.Inserted, again.Duplicates));
        var copies = _kit.Copies("transactions", "transaction_id");
        Assert.Equal(28, copies.Count);
        Assert.All(copies, c => Assert.Equal(1, c.Value));
        Assert.Equal(3, _kit.Stored("dead_letters").Count);
        // One stream per (table, partition) a processor writes to, never one per batch.
        Assert.Equal((4, 2), (first.StreamsCreated, second.StreamsCreated));
    }

    [Fact]
    public async Task Without_assignment_calls_and_no_trust_window_every_batch_rereads_the_watermark_so_a_redelivered_batch_adds_nothing()
    {
        // Two Functions instances: neither hears of rebalances; the partition moved from A to B and back, to exactly
        // A's next offset at once (with a trust window, the residual case of StorageWriteTrustTests).
        var strict = _kit.Options(watermarkTrust: TimeSpan.Zero);
        var a = await _kit.SinkAsync(strict);
        var b = await _kit.SinkAsync(strict);
        Assert.Equal(WatermarkPolicy.EveryBatch, a.Watermarks);
        await a.WriteRowsAsync(StorageSinkKit.Rows(1, 0, 10), CancellationToken.None);
        await b.WriteRowsAsync(StorageSinkKit.Rows(1, 10, 10), CancellationToken.None);

        var redelivered = await a.WriteRowsAsync(StorageSinkKit.Rows(1, 10, 10), CancellationToken.None);
        var next = await a.WriteRowsAsync(StorageSinkKit.Rows(1, 15, 10), CancellationToken.None);

        Assert.Equal((0, 10), (redelivered.Inserted, redelivered.Duplicates));
        Assert.Equal((5, 5), (next.Inserted, next.Duplicates));
        Assert.Equal(25, _kit.Copies("transactions", "transaction_id").Count);
        Assert.Equal(25, _kit.Stored("transactions").Count);
        Assert.Equal(3, a.WatermarkQueries); // one per batch and table
        Assert.Equal(WatermarkPolicy.EveryBatch, a.Watermarks);
    }

    [Fact]
    public async Task With_assignment_the_watermark_is_read_once_and_release_finalizes_the_streams()
    {
        var sink = await _kit.SinkAsync();
        await sink.PartitionsAssignedAsync([2], CancellationToken.None);
        await sink.WriteRowsAsync(StorageSinkKit.Rows(2, 0, 10), CancellationToken.None);
        await sink.WriteRowsAsync(StorageSinkKit.Rows(2, 10, 10), CancellationToken.None);
        Assert.Equal(1, sink.WatermarkQueries);
        Assert.Equal(WatermarkPolicy.UntilReleased, sink.Watermarks);
        var stream = Assert.Single(_kit.Write.Streams.Values, s => !s.IsDefault);
        Assert.False(stream.Finalized);

        await sink.PartitionsReleasedAsync([2], CancellationToken.None);

        Assert.True(stream.Finalized);
        Assert.Equal(20, stream.NextOffset);
        // Assigned again later: the watermark is read again, a new stream is created, nothing is written twice.
        await sink.PartitionsAssignedAsync([2], CancellationToken.None);
        var again = await sink.WriteRowsAsync(StorageSinkKit.Rows(2, 15, 10), CancellationToken.None);
        Assert.Equal((5, 5), (again.Inserted, again.Duplicates));
        Assert.Equal(2, sink.WatermarkQueries);
        Assert.Equal(25, _kit.Stored("transactions").Count);
    }

    [Theory]
    [InlineData(StorageWriteFault.ResetBeforeApply)]
    [InlineData(StorageWriteFault.ResetAfterApply)]
    [InlineData(StorageWriteFault.Unavailable)]
    [InlineData(StorageWriteFault.ResourceExhausted)]
    public async Task A_fault_mid_stream_reconnects_resends_in_order_and_stores_each_row_once(StorageWriteFault fault)
    {
        var observer = new RecordingObserver();
        var sink = await _kit.SinkAsync(observer: observer);
        await sink.PartitionsAssignedAsync([0], CancellationToken.None);
        await sink.WriteRowsAsync(StorageSinkKit.Rows(0, 0, 10), CancellationToken.None);
        _kit.Write.InjectFault(fault);

        var written = await sink.WriteRowsAsync(StorageSinkKit.Rows(0, 10, 10), CancellationToken.None);
        await sink.WriteRowsAsync(StorageSinkKit.Rows(0, 20, 10), CancellationToken.None);

        Assert.Equal(1, _kit.Write.FaultsInjected[fault]);
        Assert.Equal(10, written.Inserted);
        var stored = _kit.Stored("transactions").Select(r => long.Parse(r.GetProperty("kafka_offset").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).Order();
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i), stored);
        Assert.Equal(1, sink.StreamsCreated); // the same stream, at its next offsets
        var wait = Assert.Single(observer.Waits);
        Assert.Equal(fault == StorageWriteFault.ResourceExhausted ? "resource_exhausted" : "reconnect", wait.Reason);
    }

    [Fact]
    public async Task A_row_the_table_refuses_becomes_a_rejection_the_rest_is_stored_and_dead_letters_keep_offset_order()
    {
        var sink = await _kit.SinkAsync();
        await sink.PartitionsAssignedAsync([0], CancellationToken.None);
        List<TransactionRow> rows = [.. StorageSinkKit.Rows(0, 0, 5), StorageSinkKit.Row(0, 5, userId: null), .. StorageSinkKit.Rows(0, 6, 4)];

        // A transform dead letter above the refused row, then (as Core's handler does) the refused row's own.
        var written = await sink.WriteBatchAsync(rows, [StorageSinkKit.DeadLetter(0, 10)], CancellationToken.None);
        var rejection = Assert.Single(written.Rejected);
        await sink.WriteDeadLettersAsync([DeadLetterFactory.RejectedBySink(RawRecords.Of("{}", rejection.Row.KafkaOffset, rejection.Row.KafkaPartition), rejection.Message, rejection.Row.TransactionId, DateTime.UtcNow)], CancellationToken.None);

        // The stand-in records a refused row as something the real service would refuse: here that is the point.
        Assert.True(_kit.Write.ContractViolations.TryDequeue(out var refused));
        Assert.Contains("rows the table refuses", refused, StringComparison.Ordinal);
        Assert.Equal(5, rejection.Row.KafkaOffset);
        Assert.Contains("user_id", rejection.Message, StringComparison.Ordinal);
        Assert.Equal(9, written.Inserted);
        Assert.Equal(9, _kit.Stored("transactions").Count);
        var deadLetters = _kit.Copies("dead_letters", "kafka_offset");
        Assert.Equal(["10", "5"], deadLetters.Keys.Order());
    }

    [Fact]
    public async Task A_retried_batch_reports_its_refused_row_again_so_its_dead_letter_is_not_lost()
    {
        var sink = await _kit.SinkAsync();
        await sink.PartitionsAssignedAsync([0], CancellationToken.None);
        List<TransactionRow> rows = [.. StorageSinkKit.Rows(0, 0, 3), StorageSinkKit.Row(0, 3, userId: null), .. StorageSinkKit.Rows(0, 4, 3)];

        // The first attempt failed before the refused row's dead letter came back (say, publishing it to its topic):
        // the partition's other rows were held, nothing was stored.
        var failed = await sink.WriteBatchAsync(rows, [StorageSinkKit.DeadLetter(0, 7)], CancellationToken.None);
        Assert.Empty(_kit.Stored("transactions"));
        var first = await StorageSinkKit.StoreBatchAsync(sink, rows, [StorageSinkKit.DeadLetter(0, 7)]);
        Assert.Equal(2, _kit.Write.ContractViolations.Count); // the refused row, sent by each attempt, on purpose
        _kit.Write.ContractViolations.Clear();

        // Stored, but the Kafka commit failed: the batch comes again, all of it at or below the watermark.
        var retried = await StorageSinkKit.StoreBatchAsync(sink, rows, [StorageSinkKit.DeadLetter(0, 7)]);

        Assert.Equal((6, 0, 1), (failed.Inserted, failed.Duplicates, failed.Rejected.Count));
        Assert.Equal((6, 0, 1), (first.Inserted, first.Duplicates, first.Rejected.Count));
        Assert.Equal((0, 6, 3L), (retried.Inserted, retried.Duplicates, Assert.Single(retried.Rejected).Row.KafkaOffset));
        Assert.Equal(6, _kit.Copies("transactions", "transaction_id").Count);
        Assert.Equal(6, _kit.Stored("transactions").Count);
        Assert.Equal(["3", "7"], _kit.Copies("dead_letters", "kafka_offset").Keys.Order());
        Assert.Equal(2, _kit.Stored("dead_letters").Count);
        Assert.Empty(_kit.Write.ContractViolations); // the redelivery sent nothing: the refused row was not sent again
    }

    [Fact]
    public async Task A_batch_over_the_request_limit_goes_in_several_requests_at_consecutive_offsets()
    {
        _kit.Write.MaxRequestBytes = 4096;
        var sink = await _kit.SinkAsync(_kit.Options(maxRequestBytes: 3000));
        await sink.PartitionsAssignedAsync([0], CancellationToken.None);
        var (before, bytesBefore) = (_kit.Write.AppendRequests, _kit.Write.BytesReceived);

        var written = await sink.WriteRowsAsync(StorageSinkKit.Rows(0, 0, 100), CancellationToken.None);

        Assert.Equal(100, written.Inserted);
        // The stand-in refuses any request over 4,096 bytes (the write would have failed); what it received needs at
        // least this many requests of that size.
        var (requests, bytes) = (_kit.Write.AppendRequests - before, _kit.Write.BytesReceived - bytesBefore);
        Assert.True(bytes > 2 * 4096, $"{bytes} bytes");
        Assert.True(requests >= bytes / 4096 + 1, $"{requests} requests for {bytes} bytes");
        Assert.Equal(100, Assert.Single(_kit.Write.Streams.Values, s => !s.IsDefault).NextOffset);
        Assert.Equal(100, _kit.Copies("transactions", "transaction_id").Count);
    }

    [Fact]
    public async Task At_least_once_writes_to_the_default_streams_without_offsets_or_watermarks()
    {
        var sink = await _kit.SinkAsync(_kit.Options(DeliveryGuarantee.AtLeastOnce));
        var batch = StorageSinkKit.Rows(0, 0, 10);

        await sink.WriteBatchAsync(batch, [StorageSinkKit.DeadLetter(0, 10)], CancellationToken.None);
        var again = await sink.WriteRowsAsync(batch, CancellationToken.None);

        Assert.Equal((10, 0), (again.Inserted, again.Duplicates));
        Assert.Equal(20, _kit.Stored("transactions").Count); // a redelivery is stored again: the dedup view removes it
        Assert.Single(_kit.Stored("dead_letters"));
        Assert.Equal(0, _kit.Write.CreateWriteStreamCalls);
        Assert.Equal(0, sink.WatermarkQueries);
        Assert.All(_kit.Write.Streams.Values, s => Assert.True(s.IsDefault));
    }

    [Fact]
    public async Task Not_found_just_after_the_sink_created_the_tables_is_waited_out()
    {
        // The stand-in's window runs on its own clock, moved on by the sink's first wait: no race with the test's pace.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _kit.Rest.Clock = clock;
        _kit.Write.NotFoundAfterCreate = TimeSpan.FromMinutes(2);
        var observer = new RecordingObserver { OnWait = () => clock.Advance(TimeSpan.FromMinutes(3)) };
        var sink = await _kit.SinkAsync(observer: observer);

        var written = await sink.WriteBatchAsync(StorageSinkKit.Rows(4, 0, 10), [StorageSinkKit.DeadLetter(4, 10)], CancellationToken.None);

        Assert.Equal(10, written.Inserted);
        Assert.Equal(1, _kit.Write.FaultsInjected[StorageWriteFault.NotFound]);
        Assert.Equal("table_not_ready", Assert.Single(observer.Waits).Reason);
        Assert.Equal(10, _kit.Stored("transactions").Count);
        Assert.Single(_kit.Stored("dead_letters"));
    }
}
