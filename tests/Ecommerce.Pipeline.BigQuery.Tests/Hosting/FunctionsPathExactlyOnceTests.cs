using System.Globalization;
using System.Text;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace Ecommerce.Pipeline.BigQuery.Tests.Hosting;

/// <summary>
/// What the function app gets from the composition root with <c>Sink=bigquery</c> and the Storage Write API defaults:
/// a sink nobody tells of assignments (the Kafka extension owns them), so it trusts its watermarks only while a
/// partition's batches continue its own acknowledged ones within <c>BigQuery__WatermarkTrust</c>, and reads them for
/// any other batch; with <c>0</c>, before every batch. Batches redelivered to the same instance, or to another one
/// after a rebalance, add nothing, except in the documented residual case.
/// </summary>
[Trait("Category", "Integration")]
public sealed class FunctionsPathExactlyOnceTests : StorageWriteStandInPair
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    [Fact]
    public async Task With_no_trust_window_redelivered_batches_add_nothing_on_the_same_instance_or_another()
    {
        var settings = Settings(trust: "0");
        var first = Records(0, 300);
        var second = Records(300, 300);

        await using var instanceA = await Instance.StartAsync(settings, TimeProvider.System);
        await using var instanceB = await Instance.StartAsync(settings, TimeProvider.System);
        var (a, b) = (instanceA.Handler, instanceB.Handler);

        var stored = await a.HandleAsync(first, CancellationToken.None);
        // The function threw after the write (say, the dead-letter publish failed): the extension delivers it again.
        var retried = await a.HandleAsync(first, CancellationToken.None);
        // A rebalance: another instance gets the partitions from the last commit, the old batch again and a new one.
        var moved = await b.HandleAsync([.. first, .. second], CancellationToken.None);
        // The old instance, not knowing, gets the new batch redelivered at once at its own next offsets (B's commit
        // did not land): with no trust window its watermark is read again all the same.
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
        Assert.Equal(8, Rest.Queries.Count); // both tables, every batch
    }

    [Fact]
    public async Task Contiguous_batches_issue_no_watermark_query_after_the_first_and_a_partition_back_at_another_offset_is_read()
    {
        await using var instanceA = await Instance.StartAsync(Settings(), _clock);
        await using var instanceB = await Instance.StartAsync(Settings(), _clock);
        var (a, b) = (instanceA.Handler, instanceB.Handler);

        var outcomes = new List<BatchOutcome>();
        for (var batch = 0; batch < 4; batch++)
        {
            outcomes.Add(await a.HandleAsync(Records(batch * 300, 300), CancellationToken.None));
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(2, Rest.Queries.Count); // the first batch, one per table
        // A rebalance: B gets the partitions from A's commit and stores two batches; its first commit lands, its
        // second does not. Back on A, the partitions start at B's commit: not A's next offset, so A reads.
        outcomes.Add(await b.HandleAsync(Records(1200, 300), CancellationToken.None));
        outcomes.Add(await b.HandleAsync(Records(1500, 300), CancellationToken.None));
        var queries = Rest.Queries.Count;
        var back = await a.HandleAsync(Records(1500, 600), CancellationToken.None);

        Assert.True(Rest.Queries.Count > queries, "A read the watermarks of the partitions it got back");
        Assert.Equal(outcomes.Sum(o => o.RowsInserted) + back.RowsInserted, Rest.LiveRows("ds.transactions").Count);
        AssertEachMessageOnce(2100);
    }

    [Fact]
    public async Task Back_at_exactly_the_next_offset_within_the_window_stores_the_other_instances_uncommitted_rows_again_and_after_it_nothing()
    {
        await using var instanceA = await Instance.StartAsync(Settings(), _clock);
        await using var instanceB = await Instance.StartAsync(Settings(), _clock);
        var (a, b) = (instanceA.Handler, instanceB.Handler);
        await a.HandleAsync(Records(0, 300), CancellationToken.None);
        // B stores the next batch and none of its commits lands; the partitions come back to A at A's next offset.
        var uncommitted = await b.HandleAsync(Records(300, 300), CancellationToken.None);

        var within = await a.HandleAsync(Records(300, 300), CancellationToken.None);

        // The residual case: B's uncommitted rows twice (same transaction_id, partition and offset), nothing else.
        Assert.Equal(uncommitted.RowsInserted, within.RowsInserted);
        var rows = Rest.LiveRows("ds.transactions");
        Assert.Equal(rows.Count - uncommitted.RowsInserted, StoredRows.DistinctIds(rows));
        var twice = Rest.KafkaPositions("ds.transactions").GroupBy(p => p).Where(g => g.Count() > 1).ToList();
        Assert.Equal(uncommitted.RowsInserted, twice.Count);
        Assert.All(twice, g => Assert.Equal(2, g.Count()));

        // The same again after the window: A reads the watermarks and stores nothing twice.
        await b.HandleAsync(Records(600, 300), CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(5));
        var after = await a.HandleAsync(Records(600, 300), CancellationToken.None);

        Assert.Equal(0, after.RowsInserted);
        Assert.Equal(uncommitted.RowsInserted, Rest.KafkaPositions("ds.transactions").GroupBy(p => p).Count(g => g.Count() > 1));
    }

    private PipelineSettings Settings(string? trust = null) =>
        PipelineSettings.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [SettingNames.KafkaBrokerList] = "127.0.0.1:1",
            [SettingNames.Sink] = "bigquery",
            [SettingNames.BigQueryProjectId] = "proj",
            [SettingNames.BigQueryDatasetId] = "ds",
            [SettingNames.BigQueryEndpoint] = Rest.Endpoint.ToString(),
            [SettingNames.BigQueryStorageEndpoint] = Write.Endpoint.ToString(),
            [SettingNames.BigQueryWatermarkTrust] = trust,
        }).Build());

    /// <summary>One function app instance: the composition root's sink, on <c>time</c>, under the batch handler.</summary>
    private sealed record Instance(PipelineParts Parts, TransactionBatchHandler Handler) : IAsyncDisposable
    {
        public static async Task<Instance> StartAsync(PipelineSettings settings, TimeProvider time)
        {
            var parts = await PipelineFactory.BuildAsync(settings, NullPipelineMetrics.Instance, time);
            return new Instance(parts, TestData.Handler(parts.Sink, new MemoryDeadLetterPublisher()));
        }

        public ValueTask DisposeAsync() => Parts.DisposeAsync();
    }

    /// <summary>Messages 0 to <paramref name="count"/> - 1 each once, as a row or a dead letter.</summary>
    private void AssertEachMessageOnce(int count)
    {
        var positions = Rest.KafkaPositions("ds.transactions").Concat(Rest.KafkaPositions("ds.dead_letters")).ToList();
        Assert.Equal(count, positions.Count);
        Assert.Equal(count, positions.Distinct().Count());
        var rows = Rest.LiveRows("ds.transactions");
        Assert.Equal(rows.Count, StoredRows.DistinctIds(rows));
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
