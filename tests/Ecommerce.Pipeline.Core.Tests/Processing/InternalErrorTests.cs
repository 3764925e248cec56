using Ecommerce.Pipeline.Core.Geo;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Parsing;
using Ecommerce.Pipeline.Core.Processing;
using Microsoft.Extensions.Time.Testing;

namespace Ecommerce.Pipeline.Core.Tests.Processing;

/// <summary>
/// docs/contract.md, "Reason codes", <c>internal_error</c>: whatever the transform throws for one record makes that
/// record a dead letter, and the rest of the batch is stored as usual.
/// </summary>
public sealed class InternalErrorTests : IAsyncDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Now);
    private readonly MemorySink _sink = new();
    private readonly MemoryDeadLetterPublisher _publisher = new();
    private readonly CountingMetrics _metrics = new();

    public ValueTask DisposeAsync() => _sink.DisposeAsync();

    [Fact]
    public async Task A_record_the_transform_throws_on_becomes_an_internal_error_dead_letter_and_the_rest_is_stored()
    {
        // The real parser, except that it throws for the record at offset 11 (standing in for a defect).
        var parser = new ThrowingAt(11, new TransactionParser(GeoResolver.Default));
        var handler = new TransactionBatchHandler(new BatchProcessor(_time, parser), _sink, _publisher, _metrics, _time);
        var poisoned = TransactionJson.Valid("t2", Now.AddMinutes(-1));
        IReadOnlyList<RawRecord> batch =
        [
            RawRecords.Of(TransactionJson.Valid("t1", Now.AddMinutes(-1)), 10, timestamp: Now),
            RawRecords.Of(poisoned, 11, timestamp: Now),
            RawRecords.Of(TransactionJson.Valid("t3", Now.AddMinutes(-1)), 12, timestamp: Now),
        ];

        var outcome = await handler.HandleAsync(batch, CancellationToken.None);

        Assert.Equal(new BatchOutcome(3, 2, 0, 1, Now), outcome);
        Assert.Equal(["t1", "t3"], _sink.Rows.Keys.Order(StringComparer.Ordinal));
        var stored = Assert.Single(_sink.DeadLetters);
        var published = Assert.Single(_publisher.Published);
        foreach (var dl in new[] { stored, published })
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
}
