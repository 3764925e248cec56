using Ecommerce.Pipeline.Core.Geo;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Ecommerce.Pipeline.Functions.Tests;

/// <summary>The function class with the real batch processor and mocked sink, publisher, context and logger.</summary>
public sealed class ProcessTransactionsFunctionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private readonly Mock<ITransactionSink> _sink = new(MockBehavior.Strict);
    private readonly Mock<IDeadLetterPublisher> _publisher = new(MockBehavior.Strict);
    private readonly Mock<FunctionContext> _context = new();
    private readonly Mock<ILogger<ProcessTransactionsFunction>> _logger = new();
    private readonly Mock<IPipelineMetrics> _metrics = new();
    private readonly List<TransactionRow> _rowsWritten = [];
    private readonly List<DeadLetter> _published = [];
    private readonly List<DeadLetter> _deadLettersStored = [];
    private int _rowWrites;

    public ProcessTransactionsFunctionTests()
    {
        _sink.Setup(s => s.Name).Returns("mock");
        // The interface's own WriteBatchAsync (rows, then dead letters), through the two setups below.
        _sink.Setup(s => s.WriteBatchAsync(It.IsAny<IReadOnlyList<TransactionRow>>(), It.IsAny<IReadOnlyList<DeadLetter>>(),
            It.IsAny<CancellationToken>())).CallBase();
        _sink.Setup(s => s.WriteRowsAsync(It.IsAny<IReadOnlyList<TransactionRow>>(), It.IsAny<CancellationToken>()))
            .Callback((IReadOnlyList<TransactionRow> rows, CancellationToken _) =>
            {
                _rowWrites++;
                _rowsWritten.AddRange(rows);
            })
            .ReturnsAsync((IReadOnlyList<TransactionRow> rows, CancellationToken _) => new RowWriteResult(rows.Count, 0, []));
        _sink.Setup(s => s.WriteDeadLettersAsync(It.IsAny<IReadOnlyList<DeadLetter>>(), It.IsAny<CancellationToken>()))
            .Callback((IReadOnlyList<DeadLetter> d, CancellationToken _) => _deadLettersStored.AddRange(d))
            .Returns(Task.CompletedTask);
        _publisher.Setup(p => p.PublishAsync(It.IsAny<IReadOnlyList<DeadLetter>>(), It.IsAny<CancellationToken>()))
            .Callback((IReadOnlyList<DeadLetter> d, CancellationToken _) => _published.AddRange(d))
            .Returns(Task.CompletedTask);
        _context.Setup(c => c.CancellationToken).Returns(CancellationToken.None);
        _logger.Setup(l => l.IsEnabled(It.IsAny<LogLevel>())).Returns(true);
    }

    [Fact]
    public async Task Good_and_bad_records_store_exactly_the_good_rows_and_dead_letter_the_rest()
    {
        string[] events =
        [
            Events.Envelope(0, 10, Events.Transaction("t-1", Now.AddMinutes(-1)), Now),
            Events.Envelope(0, 11, "{not json", Now),
            Events.Envelope(1, 5, Events.Transaction("t-2", Now.AddMinutes(-2), price: "$1,299.99"), Now),
            Events.Envelope(1, 6, """{"transaction_id":"t-x","product_id":"p","price":1,"timestamp":"2026-11-25T11:00:00Z"}""", Now),
            Events.Envelope(2, 0, Events.Transaction("t-3", Now.AddSeconds(-5)), Now),
        ];

        await CreateFunction().RunAsync(events, _context.Object);

        Assert.Equal(1, _rowWrites);
        Assert.Equal(["t-1", "t-2", "t-3"], _rowsWritten.Select(r => r.TransactionId));
        Assert.Equal([(0, 10L), (1, 5L), (2, 0L)], _rowsWritten.Select(r => (r.KafkaPartition, r.KafkaOffset)));
        Assert.Equal(1299.99m, _rowsWritten[1].Price);
        Assert.Equal("DE", _rowsWritten[0].CountryCode);

        var expected = new[] { (DeadLetterReason.MalformedJson, 0, 11L, (string?)null), (DeadLetterReason.MissingField, 1, 6L, "t-x") };
        Assert.Equal(expected, _published.Select(d => (d.Reason, d.KafkaPartition, d.KafkaOffset, d.TransactionId)));
        Assert.Equal(expected, _deadLettersStored.Select(d => (d.Reason, d.KafkaPartition, d.KafkaOffset, d.TransactionId)));
        Assert.Equal("user_id", _deadLettersStored[1].Detail);
        VerifyLogged(LogLevel.Information, Times.Once());
        VerifyLogged(LogLevel.Error, Times.Never());
    }

    [Fact]
    public async Task A_transient_sink_failure_makes_the_function_throw_so_the_host_retries()
    {
        var failure = new TimeoutException("warehouse did not answer");
        _sink.Setup(s => s.WriteRowsAsync(It.IsAny<IReadOnlyList<TransactionRow>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(failure);
        string[] events =
        [
            Events.Envelope(0, 1, Events.Transaction("t-1", Now.AddMinutes(-1)), Now),
            Events.Envelope(0, 2, "[]", Now),
        ];

        var thrown = await Assert.ThrowsAsync<TimeoutException>(() => CreateFunction().RunAsync(events, _context.Object));

        Assert.Same(failure, thrown);
        // Nothing of the batch is acknowledged as stored: no dead-letter table write after a failed row write.
        _sink.Verify(s => s.WriteDeadLettersAsync(It.IsAny<IReadOnlyList<DeadLetter>>(), It.IsAny<CancellationToken>()), Times.Never);
        VerifyLogged(LogLevel.Error, Times.Once());
    }

    [Fact]
    public async Task A_dead_letter_publish_failure_also_throws()
    {
        _publisher.Setup(p => p.PublishAsync(It.IsAny<IReadOnlyList<DeadLetter>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new InvalidOperationException("broker down"));
        string[] events = [Events.Envelope(0, 2, "{", Now)];

        // The table write runs beside the publish and may have happened: the host retries the whole batch (nothing is
        // committed), and the sink, idempotent per (topic, partition, offset), stores nothing twice.
        await Assert.ThrowsAsync<InvalidOperationException>(() => CreateFunction().RunAsync(events, _context.Object));
        Assert.Empty(_published);
    }

    [Fact]
    public async Task A_batch_of_only_bad_records_writes_no_rows_dead_letters_all_and_does_not_throw()
    {
        string[] events =
        [
            Events.Envelope(3, 100, "{", Now),
            Events.Envelope(3, 101, "42", Now),
            Events.Envelope(3, 102, Events.Transaction("t-old", Now.AddDays(-8)), Now),
            Events.Envelope(3, 103, Events.Transaction("t-neg", Now.AddMinutes(-1), price: "-5"), Now),
            Events.Envelope(3, 104, null, Now),
        ];

        await CreateFunction().RunAsync(events, _context.Object);

        _sink.Verify(s => s.WriteRowsAsync(It.IsAny<IReadOnlyList<TransactionRow>>(), It.IsAny<CancellationToken>()), Times.Never);
        Assert.Equal([100L, 101, 102, 103, 104], _published.Select(d => d.KafkaOffset));
        Assert.Equal(
            [DeadLetterReason.MalformedJson, DeadLetterReason.NotAnObject, DeadLetterReason.TimestampTooOld,
                DeadLetterReason.InvalidPrice, DeadLetterReason.MalformedJson],
            _published.Select(d => d.Reason));
        Assert.Equal(_published, _deadLettersStored);
    }

    [Fact]
    public async Task A_retried_invocation_counts_a_sink_retry_and_a_first_one_does_not()
    {
        string[] events = [Events.Envelope(0, 1, Events.Transaction("t-1", Now.AddMinutes(-1)), Now)];
        await CreateFunction().RunAsync(events, _context.Object);
        _metrics.Verify(m => m.SinkRetry(It.IsAny<string>()), Times.Never);

        var retry = new Mock<RetryContext>();
        retry.Setup(r => r.RetryCount).Returns(2);
        _context.Setup(c => c.RetryContext).Returns(retry.Object);
        await CreateFunction().RunAsync(events, _context.Object);

        _metrics.Verify(m => m.SinkRetry("mock"), Times.Once);
        _metrics.Verify(m => m.RowsWritten("mock", 1), Times.Exactly(2));
    }

    private ProcessTransactionsFunction CreateFunction()
    {
        var time = new FakeTimeProvider(Now);
        var handler = new TransactionBatchHandler(new BatchProcessor(time, GeoResolver.Default), _sink.Object,
            _publisher.Object, _metrics.Object, time);
        return new ProcessTransactionsFunction(handler, _metrics.Object, _logger.Object);
    }

    // The Log call below is an expression tree Moq matches against, never a call that runs.
#pragma warning disable CA1873
    private void VerifyLogged(LogLevel level, Times times) =>
        _logger.Verify(
            l => l.Log(level, It.IsAny<EventId>(), It.IsAny<It.IsAnyType>(), It.IsAny<Exception?>(),
                (Func<It.IsAnyType, Exception?, string>)It.IsAny<object>()),
            times);
#pragma warning restore CA1873
}
