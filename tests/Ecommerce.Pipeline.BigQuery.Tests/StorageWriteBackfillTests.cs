using System.Globalization;
using Confluent.Kafka;
using Ecommerce.Pipeline.BigQuery.Tests.StorageWrite;
using Ecommerce.Pipeline.Kafka;
using Ecommerce.Pipeline.Kafka.Consuming;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>
/// <c>pipeline backfill --sink bigquery</c> (the Storage Write API) beside a live group that is behind: the backfill
/// must not store anything at or after the live group's committed offset, or the live exactly-once processor's
/// watermark (MAX(kafka_offset)) would jump past records nobody stored, and it would skip them.
/// </summary>
[Trait("Category", "Integration")]
public sealed class StorageWriteBackfillTests : IAsyncLifetime
{
    private const string Topic = "transactions_stream";
    private const string LiveGroup = "ecommerce-pipeline";

    private StorageSinkKit _kit = null!;

    public async Task InitializeAsync() => _kit = await StorageSinkKit.StartAsync();

    public Task DisposeAsync() => _kit.CheckAndDisposeAsync();

    private string[] BigQuery() =>
    [
        "--sink", "bigquery", "--bigquery-project", "proj", "--bigquery-dataset", "ds",
        "--bigquery-endpoint", _kit.Rest.Endpoint.ToString(), "--bigquery-storage-endpoint", _kit.Write.Endpoint.ToString(),
    ];

    [Fact]
    public async Task Backfill_stops_below_the_live_groups_committed_offsets_and_the_live_processor_then_stores_the_rest_once()
    {
        var (broker, servers) = await Cli.StartBrokerAsync();
        await using var _ = broker;
        var produced = await Cli.RunAsync(TimeSpan.FromSeconds(90), "produce", "--bootstrap-servers", servers, "--count", "600",
            "--bad-ratio", "0.05", "--seed", "11");
        Assert.True(produced.ExitCode == 0, produced.Output);
        // The live group is behind: partition 0 at 20, partition 1 at 35, partition 2 never committed.
        Dictionary<int, long> committed = new() { [0] = 20, [1] = 35 };
        Commit(servers, committed);
        var before = Offsets(servers);
        Assert.All(before, p => Assert.True(p.LatestOffset > 35, $"partition {p.Partition} holds only {p.LatestOffset}"));
        var left = before.Sum(p => p.LatestOffset - committed.GetValueOrDefault(p.Partition));
        var now = DateTimeOffset.UtcNow;
        string[] window = ["backfill", "--bootstrap-servers", servers, "--from", Iso(now.AddHours(-1)), "--to", Iso(now.AddHours(1)), .. BigQuery()];

        var plan = await Cli.RunAsync(TimeSpan.FromSeconds(120), [.. window, "--dry-run"]);
        Assert.True(plan.ExitCode == 0, plan.Output);
        foreach (var p in before)
        {
            var expected = committed.TryGetValue(p.Partition, out var c)
                ? $"live_committed={c} left_to_live={p.LatestOffset - c}"
                : $"live_committed=none left_to_live={p.LatestOffset}";
            Assert.Contains(expected, Line(plan.Output, $"partition={p.Partition} low="), StringComparison.Ordinal);
        }

        Assert.Contains($"left_to_live={left} ", Line(plan.Output, "backfill (dry run): read="), StringComparison.Ordinal);
        Assert.Empty(Positions());

        var run = await Cli.RunAsync(TimeSpan.FromSeconds(180), window);

        Assert.True(run.ExitCode == 0, run.Output);
        var summary = Line(run.Output, "backfill: read=");
        Assert.Contains($"left_to_live={left} ", summary, StringComparison.Ordinal);
        Assert.Contains("read=55 ", summary, StringComparison.Ordinal);
        Assert.Contains($"partition=2 live_committed=none left_to_live={before.Single(p => p.Partition == 2).LatestOffset}", run.Output, StringComparison.Ordinal);
        var stored = Positions();
        Assert.Equal(Expected(0, 20).Concat(Expected(1, 35)), stored.Order());
        // Only read: the live group's offsets did not move, and it has no members to rebalance.
        Assert.Equal(committed, Offsets(servers).Where(p => p.CommittedOffset is not null).ToDictionary(p => p.Partition, p => p.CommittedOffset!.Value));

        // The live processor carries on from its commits: everything after them, once, and nothing skipped.
        var live = await Cli.RunAsync(TimeSpan.FromSeconds(180), ["process", "--bootstrap-servers", servers, .. BigQuery(), "--until-idle", "3s", "--metrics-port", "0"]);
        Assert.True(live.ExitCode == 0, live.Output);
        var all = Positions();
        Assert.Equal(before.SelectMany(p => Expected(p.Partition, p.LatestOffset)).Order(), all.Order());
    }

    private static IEnumerable<(long Partition, long Offset)> Expected(int partition, long count) =>
        Enumerable.Range(0, (int)count).Select(o => ((long)partition, (long)o));

    /// <summary>Every stored Kafka position, rows and dead letters, with repeats.</summary>
    private List<(long Partition, long Offset)> Positions() =>
        [.. _kit.Rest.LiveRows("ds.transactions").Concat(_kit.Rest.LiveRows("ds.dead_letters"))
            .Select(r => (Long(r, "kafka_partition"), Long(r, "kafka_offset")))];

    /// <summary>Commits for the live group as a consumer that never subscribes (so it never joins the group).</summary>
    private static void Commit(string servers, Dictionary<int, long> offsets)
    {
        var config = KafkaClientConfig.Consumer(servers, LiveGroup);
        config.EnableAutoCommit = false;
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(config).Build();
        consumer.Commit([.. offsets.Select(o => new TopicPartitionOffset(Topic, o.Key, o.Value))]);
    }

    private static IReadOnlyList<PartitionLag> Offsets(string servers)
    {
        using var reader = new ConsumerLagReader(servers, LiveGroup);
        return reader.Read(Topic, TimeSpan.FromSeconds(10)).Partitions;
    }

    private static string Line(string output, string prefix) =>
        output.Split('\n').SingleOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) ?? throw new Xunit.Sdk.XunitException($"no line '{prefix}…' in: {output}");

    private static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static long Long(System.Text.Json.JsonElement row, string column) =>
        long.Parse(row.GetProperty(column).GetString()!, CultureInfo.InvariantCulture);
}
