using System.Globalization;
using System.Text;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.Hosting;
using Microsoft.Extensions.Configuration;

namespace Ecommerce.Pipeline.BigQuery.Tests.Hosting;

/// <summary>
/// What the function app gets from the composition root with <c>Sink=bigquery</c> and the Storage Write API defaults:
/// a sink nobody tells of assignments (the Kafka extension owns them), so it re-reads the watermark for every batch.
/// Batches redelivered to the same instance, or to another one after a rebalance, add nothing.
/// </summary>
[Trait("Category", "Integration")]
public sealed class FunctionsPathExactlyOnceTests : StorageWriteStandInPair
{
    [Fact]
    public async Task Redelivered_batches_add_nothing_on_the_same_instance_or_another()
    {
        var settings = PipelineSettings.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [SettingNames.KafkaBrokerList] = "127.0.0.1:1",
            [SettingNames.Sink] = "bigquery",
            [SettingNames.BigQueryProjectId] = "proj",
            [SettingNames.BigQueryDatasetId] = "ds",
            [SettingNames.BigQueryEndpoint] = Rest.Endpoint.ToString(),
            [SettingNames.BigQueryStorageEndpoint] = Write.Endpoint.ToString(),
        }).Build());
        var first = Records(0, 300);
        var second = Records(300, 300);

        await using var instanceA = await PipelineFactory.BuildAsync(settings, NullPipelineMetrics.Instance);
        await using var instanceB = await PipelineFactory.BuildAsync(settings, NullPipelineMetrics.Instance);
        var a = TestData.Handler(instanceA.Sink, new MemoryDeadLetterPublisher());
        var b = TestData.Handler(instanceB.Sink, new MemoryDeadLetterPublisher());

        var stored = await a.HandleAsync(first, CancellationToken.None);
        // The function threw after the write (say, the dead-letter publish failed): the extension delivers it again.
        var retried = await a.HandleAsync(first, CancellationToken.None);
        // A rebalance: another instance gets the partitions from the last commit, the old batch again and a new one.
        var moved = await b.HandleAsync([.. first, .. second], CancellationToken.None);
        // The old instance, not knowing, gets the new batch redelivered: its watermark is read again, not trusted.
        var stale = await a.HandleAsync(second, CancellationToken.None);

        Assert.Equal((0, 0), (retried.RowsInserted, retried.DeadLetters - stored.DeadLetters));
        Assert.Equal(first.Count - stored.DeadLetters, retried.Duplicates);
        Assert.Equal(0, stale.RowsInserted);
        var rows = Rest.LiveRows("ds.transactions");
        var deadLetters = Rest.LiveRows("ds.dead_letters");
        var positions = Rest.KafkaPositions("ds.transactions").Concat(Rest.KafkaPositions("ds.dead_letters")).ToList();
        Assert.Equal(600, positions.Count);
        Assert.Equal(600, positions.Distinct().Count());
        Assert.Equal(rows.Count, StoredRows.DistinctIds(rows));
        Assert.Equal(12, deadLetters.Count); // every 50th message is not JSON
        Assert.Equal(stored.RowsInserted + moved.RowsInserted, rows.Count);
    }

    /// <summary><paramref name="count"/> messages from offset <paramref name="first"/>, on 3 partitions; every 50th not JSON.</summary>
    private static List<RawRecord> Records(int first, int count)
    {
        var now = DateTimeOffset.UtcNow.AddMinutes(-1);
        var records = new List<RawRecord>(count);
        for (var i = first; i < first + count; i++)
        {
            var value = i % 50 == 7 ? "{not json" : TransactionJson.Valid($"f{i}", now);
            records.Add(new RawRecord(Encoding.UTF8.GetBytes($"u{i}"), Encoding.UTF8.GetBytes(value), "transactions_stream",
                i % 3, i / 3, DateTimeOffset.UtcNow));
        }

        return records;
    }
}
