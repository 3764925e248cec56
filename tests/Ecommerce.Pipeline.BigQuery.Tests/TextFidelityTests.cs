using Ecommerce.Pipeline.Core.Geo;
using Ecommerce.Pipeline.Core.Processing;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>
/// docs/contract.md, "Tables": stored text equals the text received, NUL included. The insertAll body carries NUL as
/// the JSON escape <c>\u0000</c> (RFC 8259, section 7), never a raw byte and never cut; the stand-in decodes it.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TextFidelityTests : IAsyncLifetime
{
    private BigQueryStandIn _standIn = null!;

    public async Task InitializeAsync() => _standIn = await BigQueryStandIn.StartAsync();

    public async Task DisposeAsync()
    {
        Assert.Empty(_standIn.ContractViolations);
        await _standIn.DisposeAsync();
    }

    [Fact]
    public async Task Nul_in_row_and_dead_letter_text_reaches_the_tables_whole()
    {
        var (_, sink) = await TestData.SinkAsync(_standIn);
        await using var _ = sink;
        var publisher = new MemoryDeadLetterPublisher();
        var handler = new TransactionBatchHandler(new BatchProcessor(TimeProvider.System, GeoResolver.Default), sink,
            publisher, NullPipelineMetrics.Instance, TimeProvider.System);
        var at = DateTimeOffset.UtcNow.AddMinutes(-1);
        // Escaped NUL and controls in text fields (a clean row), and a raw NUL byte inside a string (malformed JSON).
        var clean = TransactionJson.Valid("t-nul", at, payment: "vi\0sa", geolocation: "Pa\0ris\u0001, FR \U0001F600\uffff");
        var rawNul = TransactionJson.Valid("t-raw", at).Replace("visa", "vi\0sa", StringComparison.Ordinal);

        var outcome = await handler.HandleAsync(RawRecords.Batch(at, clean, rawNul), CancellationToken.None);

        Assert.Equal((1, 1), (outcome.RowsInserted, outcome.DeadLetters));
        var stored = _standIn.Rows["ds.transactions"]["t-nul"];
        Assert.Equal("vi\0sa", stored.GetProperty("payment_method_raw").GetString());
        Assert.Equal("Pa\0ris\u0001", stored.GetProperty("city").GetString());
        Assert.Equal("Pa\0ris\u0001, FR \U0001F600\uffff", stored.GetProperty("geolocation_raw").GetString());
        var deadLetter = Assert.Single(_standIn.Rows["ds.dead_letters"].Values);
        Assert.Equal(("malformed_json", rawNul), (deadLetter.GetProperty("reason").GetString(), deadLetter.GetProperty("payload").GetString()));

        // On the wire: the escape, never a raw NUL byte.
        Assert.All(_standIn.InsertAlls, r => Assert.DoesNotContain((byte)0, r.Body));
        Assert.Contains(_standIn.InsertAlls, r => r.Text.Contains("vi\\u0000sa", StringComparison.Ordinal));
    }
}
