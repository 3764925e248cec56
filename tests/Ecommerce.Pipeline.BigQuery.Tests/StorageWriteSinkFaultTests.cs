using Ecommerce.Pipeline.BigQuery.StorageWrite;
using Ecommerce.Pipeline.Core.Model;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>
/// The exactly-once Storage Write sink against both stand-ins under each injected fault: batches of several partitions
/// are written, the fault hits mid-way, a second sink (a restarted process) writes the same batches again, and every
/// row and dead letter is in the table exactly once, by (kafka_partition, kafka_offset) and by transaction_id.
/// </summary>
[Trait("Category", "Integration")]
public sealed class StorageWriteSinkFaultTests : StorageWriteStandInPair
{
    private Task<StorageWriteSink> SinkAsync() => StorageWriteSink.CreateAsync(
        new BigQuerySinkOptions { ProjectId = "p", DatasetId = "ds", TableWaitBaseDelay = TimeSpan.FromMilliseconds(20) },
        new StorageWriteOptions
        {
            Endpoint = Write.Endpoint,
            ReconnectBaseDelay = TimeSpan.FromMilliseconds(1),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(5),
            ThrottleBaseDelay = TimeSpan.FromMilliseconds(1),
            ThrottleMaxDelay = TimeSpan.FromMilliseconds(5),
        },
        TestData.ClientOptions(Rest.Endpoint), CancellationToken.None);

    /// <summary>Ten batches over partitions 0..2, offsets 0..299; every tenth offset is a dead letter instead of a row.</summary>
    private static List<(List<TransactionRow> Rows, List<DeadLetter> DeadLetters)> Batches()
    {
        var now = DateTime.UtcNow;
        return [.. Enumerable.Range(0, 10).Select(b =>
        {
            var offsets = Enumerable.Range(b * 30, 30).Select(o => (Partition: o % 3, Offset: (long)o)).ToList();
            return (
                offsets.Where(o => o.Offset % 10 != 0).Select(o => Row(o.Partition, o.Offset, now)).ToList(),
                offsets.Where(o => o.Offset % 10 == 0).Select(o => StoredDeadLetters.At(o.Offset, now, partition: o.Partition)).ToList());
        })];
    }

    private static TransactionRow Row(int partition, long offset, DateTime now) => new()
    {
        TransactionId = $"tx-{partition}-{offset}",
        UserId = "user-1",
        ProductId = "prod-1",
        Price = 12.5m,
        Currency = "EUR",
        EventTimestamp = now,
        PaymentMethod = "credit_card",
        KafkaTopic = "transactions_stream",
        KafkaPartition = partition,
        KafkaOffset = offset,
        KafkaTimestamp = new DateTimeOffset(now),
        IngestedAt = now,
        SourceIndex = (int)offset,
    };

    [Theory]
    [InlineData(StorageWriteFault.ResetBeforeApply)]
    [InlineData(StorageWriteFault.ResetAfterApply)]
    [InlineData(StorageWriteFault.Unavailable)]
    [InlineData(StorageWriteFault.ResourceExhausted)]
    public async Task Each_fault_leaves_every_row_and_dead_letter_exactly_once_across_a_restart(StorageWriteFault fault)
    {
        var batches = Batches();
        Write.InjectEvery(fault, 4);
        await using (var first = await SinkAsync())
        {
            foreach (var (rows, deadLetters) in batches.Take(6))
            {
                await ((Core.Processing.ITransactionSink)first).WriteBatchAsync(rows, deadLetters, CancellationToken.None);
            }
        }

        // A restart after a crash: the same batches come again, from the last committed Kafka offset (here: all of them).
        await using (var second = await SinkAsync())
        {
            foreach (var (rows, deadLetters) in batches)
            {
                await ((Core.Processing.ITransactionSink)second).WriteBatchAsync(rows, deadLetters, CancellationToken.None);
            }
        }

        Assert.True(Write.FaultsInjected.GetValueOrDefault(fault) > 0, "the fault was never injected");
        AssertExactlyOnce("ds.transactions", batches.SelectMany(b => b.Rows.Select(r => ((long)r.KafkaPartition, r.KafkaOffset))));
        AssertExactlyOnce("ds.dead_letters", batches.SelectMany(b => b.DeadLetters.Select(d => ((long)d.KafkaPartition, d.KafkaOffset))));
        var ids = Rest.LiveRows("ds.transactions").Select(r => r.GetProperty("transaction_id").GetString()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task Idle_closes_and_not_found_after_table_creation_leave_every_row_exactly_once()
    {
        var batches = Batches();
        // The sink creates both tables; the streaming backends see them only after a while.
        Write.NotFoundAfterCreate = TimeSpan.FromMilliseconds(300);
        Write.IdleTimeout = TimeSpan.FromMilliseconds(200);
        await using (var sink = await SinkAsync())
        {
            for (var i = 0; i < batches.Count; i++)
            {
                await ((Core.Processing.ITransactionSink)sink).WriteBatchAsync(batches[i].Rows, batches[i].DeadLetters, CancellationToken.None);
                if (i == 4)
                {
                    // Let the open connections go idle until the stand-in has closed at least one.
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    while (Write.FaultsInjected.GetValueOrDefault(StorageWriteFault.IdleClose) == 0)
                    {
                        await Task.Delay(20, timeout.Token);
                    }
                }
            }
        }

        Assert.True(Write.FaultsInjected.GetValueOrDefault(StorageWriteFault.NotFound) > 0, "no NOT_FOUND was answered");
        AssertExactlyOnce("ds.transactions", batches.SelectMany(b => b.Rows.Select(r => ((long)r.KafkaPartition, r.KafkaOffset))));
        AssertExactlyOnce("ds.dead_letters", batches.SelectMany(b => b.DeadLetters.Select(d => ((long)d.KafkaPartition, d.KafkaOffset))));
    }

    private void AssertExactlyOnce(string table, IEnumerable<(long Partition, long Offset)> expected)
    {
        var stored = Rest.KafkaPositions(table).Order().ToList();
        Assert.Equal(expected.Order().ToList(), stored);
    }
}
