using Ecommerce.Pipeline.Core.Geo;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Parsing;
using Ecommerce.Pipeline.Core.Processing;
using Microsoft.Extensions.Time.Testing;

namespace Ecommerce.Pipeline.Core.Tests.Processing;

/// <summary>One batch through the real transform into an in-memory sink and dead-letter topic, at a fixed clock.</summary>
public sealed class TransactionBatchHandlerTests : IAsyncDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Now);
    private readonly MemorySink _sink = new();
    private readonly MemoryDeadLetterPublisher _publisher = new();
    private readonly CountingMetrics _metrics = new();

    public ValueTask DisposeAsync() => _sink.DisposeAsync();

    private TransactionBatchHandler Handler(MemorySink? sink = null) =>
        new(new BatchProcessor(_time, GeoResolver.Default), sink ?? _sink, _publisher, _metrics, _time);

    private static string Valid(string id) => TransactionJson.Valid(id, Now.AddMinutes(-1));

    private static RawRecord At(long offset, string value) => RawRecords.Of(value, offset, partition: 2, timestamp: Now);

    [Fact]
    public async Task Rows_go_to_the_sink_and_dead_letters_to_the_topic_and_the_dead_letter_table()
    {
        IReadOnlyList<RawRecord> batch = [At(10, Valid("t1")), At(11, "{not json"), At(12, Valid("t2")), At(13, "[1,2]")];

        var outcome = await Handler().HandleAsync(batch, CancellationToken.None);

        Assert.Equal(new BatchOutcome(4, 2, 0, 2, Now), outcome);
        Assert.Equal(["t1", "t2"], _sink.Rows.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([(11L, "malformed_json"), (13L, "not_an_object")], OffsetsAndReasons(_publisher.Published));
        Assert.Equal([(11L, "malformed_json"), (13L, "not_an_object")], OffsetsAndReasons(_sink.DeadLetters));
        Assert.All(_sink.DeadLetters, d => Assert.Equal(("transactions_stream", 2), (d.KafkaTopic, d.KafkaPartition)));
    }

    [Fact]
    public async Task A_row_the_sink_refuses_becomes_a_rejected_by_sink_dead_letter_of_its_original_record()
    {
        _sink.Refuse = row => row.TransactionId == "t2" ? "row too wide" : null;
        var refused = Valid("t2");
        IReadOnlyList<RawRecord> batch = [At(20, Valid("t1")), At(21, "{not json"), At(22, refused)];
        _time.Advance(TimeSpan.FromSeconds(3));

        var outcome = await Handler().HandleAsync(batch, CancellationToken.None);

        Assert.Equal(1, outcome.RowsInserted);
        Assert.Equal(2, outcome.DeadLetters);
        Assert.Equal(["t1"], _sink.Rows.Keys);
        var published = Assert.Single(_publisher.Published, d => d.Reason == DeadLetterReason.RejectedBySink);
        Assert.Equal(22, published.KafkaOffset);
        Assert.Equal("t2", published.TransactionId);
        Assert.Equal("row too wide", published.Detail);
        Assert.Equal(refused, published.Payload);
        Assert.Equal(Now.AddSeconds(3).UtcDateTime, published.FailedAt);
        Assert.Equal([(21L, "malformed_json"), (22L, "rejected_by_sink")], OffsetsAndReasons(_sink.DeadLetters));
        Assert.Equal(["malformed_json", "rejected_by_sink"], _metrics.DeadLetterReasons.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Duplicates_in_the_batch_and_rows_already_stored_are_counted_not_stored_again()
    {
        var handler = Handler();
        await handler.HandleAsync([At(0, Valid("t1"))], CancellationToken.None);

        var outcome = await handler.HandleAsync([At(1, Valid("t1")), At(2, Valid("t2")), At(3, Valid("t2"))],
            CancellationToken.None);

        Assert.Equal(new BatchOutcome(3, 1, 2, 0, Now), outcome);
        Assert.Equal(["t1", "t2"], _sink.Rows.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0, _sink.Rows["t1"].KafkaOffset);
        Assert.Equal(2, _metrics.DuplicatesTotal);
        Assert.Empty(_publisher.Published);
    }

    [Fact]
    public async Task A_successful_batch_records_its_metrics_once()
    {
        await Handler().HandleAsync([At(0, Valid("t1")), At(1, Valid("t2")), At(2, Valid("t2")), At(3, "{")],
            CancellationToken.None);

        Assert.Equal(1, _metrics.Batches);
        Assert.Equal(4, _metrics.Messages);
        Assert.Equal(2, _metrics.RowsWrittenTotal);
        Assert.Equal(1, _metrics.DuplicatesTotal);
        Assert.Equal(["malformed_json"], _metrics.DeadLetterReasons);
        Assert.Equal(1, _metrics.SinkWrites);
        Assert.Equal(2, _metrics.LatencyRows);
        Assert.Empty(_metrics.SinkErrors);
    }

    [Fact]
    public async Task A_sink_failure_propagates_so_the_batch_is_not_acknowledged_and_the_retry_stores_it_once()
    {
        var sink = new MemorySink("flaky", failures: 1);
        var handler = Handler(sink);
        IReadOnlyList<RawRecord> batch = [At(0, Valid("t1")), At(1, "{not json")];

        await Assert.ThrowsAsync<IOException>(() => handler.HandleAsync(batch, CancellationToken.None));

        Assert.Empty(sink.Rows);
        Assert.Empty(sink.DeadLetters);
        Assert.Equal([("flaky", "IOException")], _metrics.SinkErrors);
        Assert.Equal(0, _metrics.Batches);
        Assert.Equal(0, _metrics.SinkWrites);

        var outcome = await handler.HandleAsync(batch, CancellationToken.None);

        Assert.Equal(new BatchOutcome(2, 1, 0, 1, Now), outcome);
        Assert.Equal(["t1"], sink.Rows.Keys);
        Assert.Equal([(1L, "malformed_json")], OffsetsAndReasons(sink.DeadLetters));
        Assert.Equal(1, _metrics.Batches);
        Assert.Single(_metrics.SinkErrors);
    }

    [Fact]
    public async Task A_cancelled_write_propagates_without_counting_as_a_sink_error()
    {
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();
        var sink = new MemorySink { BeforeWrite = (_, ct) => Task.FromCanceled(ct) };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Handler(sink).HandleAsync([At(0, Valid("t1"))], cancel.Token));

        Assert.Empty(sink.Rows);
        Assert.Empty(_metrics.SinkErrors);
        Assert.Equal(0, _metrics.Batches);
    }

    [Fact]
    public async Task A_batch_without_valid_rows_writes_no_rows_but_stores_its_dead_letters()
    {
        var outcome = await Handler().HandleAsync([At(0, "{"), At(1, "null")], CancellationToken.None);

        Assert.Equal(new BatchOutcome(2, 0, 0, 2, Now), outcome);
        Assert.Equal(0, _sink.Attempts);
        Assert.Equal(2, _sink.DeadLetters.Count);
        Assert.Equal(0, _metrics.SinkWrites);
    }

    [Fact]
    public async Task Prepare_then_handling_the_prepared_result_equals_handling_the_records_alone()
    {
        IReadOnlyList<RawRecord> batch = [At(0, Valid("t1")), At(1, "{not json"), At(2, Valid("t2")), At(3, Valid("t2"))];
        var alone = await Handler().HandleAsync(batch, CancellationToken.None);

        var sink = new MemorySink();
        var handler = Handler(sink);
        var prepared = handler.Prepare(batch);
        // Stored later than prepared, as when a host prepares the next batch while the previous one is stored.
        _time.Advance(TimeSpan.FromMinutes(5));
        var inTwoSteps = await handler.HandleAsync(batch, prepared, CancellationToken.None);

        Assert.Equal(alone with { StoredAt = Now.AddMinutes(5) }, inTwoSteps);
        Assert.Equal(Rows(_sink), Rows(sink));
        Assert.Equal(OffsetsAndReasons(_sink.DeadLetters), OffsetsAndReasons(sink.DeadLetters));
        // The rows are the prepared ones, not a second transform at the later clock.
        Assert.All(sink.Rows.Values, r => Assert.Equal(Now.UtcDateTime, r.IngestedAt));
    }

    [Fact]
    public async Task A_retry_may_hand_in_the_same_prepared_result_again_and_it_stays_unchanged()
    {
        _sink.Refuse = row => row.TransactionId == "t2" ? "refused" : null;
        IReadOnlyList<RawRecord> batch = [At(0, Valid("t1")), At(1, "{not json"), At(2, Valid("t2"))];
        var handler = Handler();
        var prepared = handler.Prepare(batch);

        var first = await handler.HandleAsync(batch, prepared, CancellationToken.None);
        var again = await handler.HandleAsync(batch, prepared, CancellationToken.None);

        Assert.Equal(2, prepared.Rows.Count);
        Assert.Single(prepared.DeadLetters);
        Assert.Equal((1, 0, 2), (first.RowsInserted, first.Duplicates, first.DeadLetters));
        Assert.Equal((0, 1, 2), (again.RowsInserted, again.Duplicates, again.DeadLetters));
        Assert.Equal(["t1"], _sink.Rows.Keys);
    }

    [Fact]
    public async Task A_record_the_transform_throws_on_becomes_an_internal_error_dead_letter_and_the_rest_is_stored()
    {
        // The real parser, except that it throws for the record at offset 11 (standing in for a defect).
        var parser = new ThrowingAt(11, new TransactionParser(GeoResolver.Default));
        var handler = new TransactionBatchHandler(new BatchProcessor(_time, parser), _sink, _publisher, _metrics, _time);
        var poisoned = Valid("t2");
        IReadOnlyList<RawRecord> batch = [At(10, Valid("t1")), At(11, poisoned), At(12, Valid("t3"))];

        var outcome = await handler.HandleAsync(batch, CancellationToken.None);

        Assert.Equal(new BatchOutcome(3, 2, 0, 1, Now), outcome);
        Assert.Equal(["t1", "t3"], _sink.Rows.Keys.Order(StringComparer.Ordinal));
        foreach (var dl in new[] { Assert.Single(_sink.DeadLetters), Assert.Single(_publisher.Published) })
        {
            Assert.Equal(("internal_error", "InvalidOperationException: injected defect", 11L), (dl.ReasonCode, dl.Detail, dl.KafkaOffset));
            Assert.Equal(poisoned, dl.Payload);
        }

        Assert.Equal(["internal_error"], _metrics.DeadLetterReasons);
    }

    private sealed class ThrowingAt(long offset, IRecordParser inner) : IRecordParser
    {
        public bool TryParse(in RawRecord record, in BatchClock clock, int sourceIndex, out TransactionRow? row, out ParseFailure failure) =>
            record.Offset == offset
                ? throw new InvalidOperationException("injected defect")
                : inner.TryParse(record, clock, sourceIndex, out row, out failure);
    }

    private static List<(long Offset, string Reason)> OffsetsAndReasons(IEnumerable<DeadLetter> deadLetters) =>
        [.. deadLetters.Select(d => (d.KafkaOffset, d.ReasonCode)).Order()];

    private static List<(string Id, decimal Price, string? Country, long Offset)> Rows(MemorySink sink) =>
        [.. sink.Rows.Values.Select(r => (r.TransactionId, r.Price, r.CountryCode, r.KafkaOffset)).Order()];
}
