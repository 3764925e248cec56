using Ecommerce.Pipeline.BigQuery.StorageWrite;
using Ecommerce.Pipeline.Core.Model;
using Xunit;

namespace Ecommerce.Pipeline.BigQuery.Tests.StorageWrite;

/// <summary>
/// A row the table refuses, and a processor that dies before that row's dead letter is stored: its successor gets the
/// batch again and must store the dead letter once and every other row once (the refused row must not be skipped as
/// stored because rows above it were).
/// </summary>
[Trait("Category", "Integration")]
public sealed class RefusedRowCrashTests : IAsyncLifetime
{
    private StorageSinkKit _kit = null!;

    public async Task InitializeAsync() => _kit = await StorageSinkKit.StartAsync();

    public Task DisposeAsync() => _kit.CheckAndDisposeAsync();

    /// <summary>Partition 0: offsets 0-9, the table refuses 5, a transform dead letter at 10; partition 3: offsets 0-4, all good.</summary>
    private static List<TransactionRow> Batch() =>
        [.. StorageSinkKit.Rows(0, 0, 5), StorageSinkKit.Row(0, 5, userId: null), .. StorageSinkKit.Rows(0, 6, 4), .. StorageSinkKit.Rows(3, 0, 5)];

    private static List<DeadLetter> TransformDeadLetters() => [StorageSinkKit.DeadLetter(0, 10)];

    [Fact]
    public async Task A_crash_after_the_refusal_and_before_its_dead_letter_loses_neither_the_dead_letter_nor_a_row()
    {
        var first = await _kit.SinkAsync();
        await first.PartitionsAssignedAsync([0, 3], CancellationToken.None);
        var answered = await first.WriteBatchAsync(Batch(), TransformDeadLetters(), CancellationToken.None);
        Assert.Equal(5L, Assert.Single(answered.Rejected).Row.KafkaOffset);
        // The process dies here: the handler never hands over the refused row's dead letter. Nothing above the refused
        // row was stored in its partition; the other partition's rows were.
        Assert.Equal(5, _kit.Stored("transactions").Count);

        var second = await _kit.SinkAsync();
        await second.PartitionsAssignedAsync([0, 3], CancellationToken.None);
        var restarted = await StorageSinkKit.StoreBatchAsync(second, Batch(), TransformDeadLetters());

        AssertEachStoredOnce();
        Assert.Equal((9, 5, 5L), (restarted.Inserted, restarted.Duplicates, Assert.Single(restarted.Rejected).Row.KafkaOffset));
        Assert.Equal(2, RefusalsSeen()); // the refused row was sent by both processors
    }

    [Fact]
    public async Task A_crash_after_the_dead_letters_and_before_the_held_rows_stores_each_once()
    {
        var first = await _kit.SinkAsync(OneReconnect());
        await first.PartitionsAssignedAsync([0, 3], CancellationToken.None);
        var answered = await first.WriteBatchAsync(Batch(), TransformDeadLetters(), CancellationToken.None);
        // The dead letters' append goes through; the held rows' append dies with the process.
        _kit.Write.InjectFault(StorageWriteFault.Unavailable, afterRequests: 1, times: 2);
        await Assert.ThrowsAsync<StorageWriteException>(() =>
            first.WriteDeadLettersAsync([StorageSinkKit.Rejected(Assert.Single(answered.Rejected))], CancellationToken.None));
        Assert.Equal(["0:10", "0:5"], Positions("dead_letters").Keys.Order());
        Assert.DoesNotContain(Positions("transactions").Keys, k => k.StartsWith("0:", StringComparison.Ordinal));

        var second = await _kit.SinkAsync();
        await second.PartitionsAssignedAsync([0, 3], CancellationToken.None);
        var restarted = await StorageSinkKit.StoreBatchAsync(second, Batch(), TransformDeadLetters());

        AssertEachStoredOnce();
        Assert.Equal((9, 5, 1), (restarted.Inserted, restarted.Duplicates, restarted.Rejected.Count));
        Assert.Equal(2, RefusalsSeen());
    }

    private StorageWriteOptions OneReconnect()
    {
        var fast = _kit.Options();
        return new StorageWriteOptions
        {
            Endpoint = fast.Endpoint,
            MaxReconnects = 1,
            ReconnectBaseDelay = fast.ReconnectBaseDelay,
            RequestTimeout = fast.RequestTimeout,
            UseJitter = false,
        };
    }

    private void AssertEachStoredOnce()
    {
        var rows = Positions("transactions");
        string[] expected = [.. Enumerable.Range(0, 10).Where(o => o != 5).Select(o => $"0:{o}"), .. Enumerable.Range(0, 5).Select(o => $"3:{o}")];
        Assert.Equal(expected.Order(), rows.Keys.Order());
        Assert.All(rows, r => Assert.Equal(1, r.Value));
        Assert.Equal(14, _kit.Stored("transactions").Count);
        var deadLetters = Positions("dead_letters");
        Assert.Equal(["0:10", "0:5"], deadLetters.Keys.Order());
        Assert.All(deadLetters, d => Assert.Equal(1, d.Value));
    }

    /// <summary>Copies per Kafka position ("partition:offset") in a table.</summary>
    private Dictionary<string, int> Positions(string table) =>
        _kit.Stored(table).GroupBy(r => $"{r.GetProperty("kafka_partition")}:{r.GetProperty("kafka_offset")}")
            .ToDictionary(g => g.Key, g => g.Count());

    /// <summary>The stand-in logs each refused row as something the real service would refuse: here that is the point.</summary>
    private int RefusalsSeen()
    {
        var seen = 0;
        while (_kit.Write.ContractViolations.TryDequeue(out var violation))
        {
            Assert.Contains("rows the table refuses", violation, StringComparison.Ordinal);
            seen++;
        }

        return seen;
    }
}
