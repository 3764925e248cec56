using Ecommerce.Pipeline.Kafka.Backfill;
using Ecommerce.Pipeline.Kafka.Embedded;
using static Ecommerce.Pipeline.Kafka.Tests.Backfill.BackfillTestKit;

namespace Ecommerce.Pipeline.Kafka.Tests.Backfill;

/// <summary>
/// The range reader on the embedded broker. Its mock answers every OffsetsForTimes with End, so these tests also
/// pin down the fallback: the binary search must land on exact boundaries.
/// </summary>
[Trait("Category", "Integration")]
public sealed class KafkaRangeReaderTests
{
    private const string Topic = "backfill_reader";

    /// <summary>100 messages in one partition, two per second (offsets 2k and 2k+1 at Base + k s).</summary>
    private static EmbeddedKafkaCluster PairsPerSecond()
    {
        var cluster = EmbeddedKafkaCluster.StartEmpty(brokers: 1);
        cluster.CreateTopic(Topic, partitions: 1);
        Produce(cluster.BootstrapServers, Topic,
            Enumerable.Range(0, 100).Select(i => (0, Ms(TimeSpan.FromSeconds(i / 2)), $"m{i}")));
        return cluster;
    }

    [Theory]
    [InlineData(5.0, 10.0, 10, 20)] // both bounds on message timestamps: from inclusive (first of a pair), to exclusive
    [InlineData(4.5, 9.5, 10, 20)] // bounds between timestamps
    [InlineData(0.0, 1.0, 0, 2)] // starts at the first message
    [InlineData(49.0, 60.0, 98, 100)] // ends at the last message
    [InlineData(-10.0, 1000.0, 0, 100)] // covers everything
    public void Finds_the_exact_start_and_reads_exactly_the_window(double fromSeconds, double toSeconds, int firstOffset, int endOffset)
    {
        using var cluster = PairsPerSecond();
        var options = Options(cluster, Topic, Base.AddSeconds(fromSeconds), Base.AddSeconds(toSeconds));

        var (plan, records, counts) = PlanAndRead(options);

        var p = Assert.Single(plan);
        Assert.Equal((0L, 100L), (p.Low, p.High));
        Assert.Equal(firstOffset, p.Start);
        // The mock cannot look offsets up by time; the reader noticed and searched.
        Assert.Equal(StartLookup.Search, p.FoundBy);
        Assert.Equal(Enumerable.Range(firstOffset, endOffset - firstOffset).Select(o => (0, (long)o)), records);
        Assert.Equal(endOffset - firstOffset, Assert.Single(counts).InWindow);
    }

    [Fact]
    public void A_window_after_every_message_reads_nothing()
    {
        using var cluster = PairsPerSecond();
        var options = Options(cluster, Topic, Base.AddSeconds(50), Base.AddHours(1));

        var (plan, records, counts) = PlanAndRead(options);

        var p = Assert.Single(plan);
        Assert.Equal(StartLookup.AllBefore, p.FoundBy);
        Assert.Equal(100, p.Start);
        Assert.Empty(records);
        Assert.Equal(0, Assert.Single(counts).Read);
    }

    [Fact]
    public void A_window_before_every_message_reads_one_message_and_stops()
    {
        using var cluster = PairsPerSecond();
        var options = Options(cluster, Topic, Base.AddHours(-2), Base.AddHours(-1));

        var (plan, records, counts) = PlanAndRead(options);

        var p = Assert.Single(plan);
        Assert.Equal(0, p.Start);
        Assert.Empty(records);
        // The first message is already past the window's end: the partition is done.
        Assert.Equal((1L, 0L), (Assert.Single(counts).Read, counts[0].InWindow));
    }

    [Fact]
    public void Empty_partitions_and_partitions_wholly_outside_the_window_contribute_nothing()
    {
        using var cluster = EmbeddedKafkaCluster.StartEmpty(brokers: 3);
        cluster.CreateTopic(Topic, partitions: 4, replicationFactor: 3);
        var before = Enumerable.Range(0, 30).Select(i => (1, Ms(TimeSpan.FromMinutes(i)), $"before{i}"));
        var inside = Enumerable.Range(0, 40).Select(i => (2, Ms(TimeSpan.FromMinutes(45 + i)), $"inside{i}"));
        var after = Enumerable.Range(0, 20).Select(i => (3, Ms(TimeSpan.FromMinutes(120 + i)), $"after{i}"));
        Produce(cluster.BootstrapServers, Topic, before.Concat(inside).Concat(after));
        // Window [Base+40 min, Base+80 min): partition 2 holds 35 of its 40 messages (45..79) inside.
        var options = Options(cluster, Topic, Base.AddMinutes(40), Base.AddMinutes(80));

        var (plan, records, counts) = PlanAndRead(options);

        Assert.Equal([0, 1, 2, 3], plan.Select(p => p.Partition));
        Assert.Equal(StartLookup.Empty, plan[0].FoundBy);
        Assert.Equal((StartLookup.AllBefore, 30L), (plan[1].FoundBy, plan[1].Start));
        Assert.Equal((StartLookup.Search, 0L), (plan[2].FoundBy, plan[2].Start));
        Assert.Equal((StartLookup.Search, 0L), (plan[3].FoundBy, plan[3].Start));
        Assert.Equal(Enumerable.Range(0, 35).Select(o => (2, (long)o)), records);
        Assert.Equal([0L, 0L, 36L, 1L], counts.Select(c => c.Read)); // partition 2 stops at its first message past the end
        Assert.Equal([0L, 0L, 35L, 0L], counts.Select(c => c.InWindow));
    }

    [Fact]
    public void A_late_message_within_the_grace_is_found_and_reading_stops_past_the_grace()
    {
        using var cluster = EmbeddedKafkaCluster.StartEmpty(brokers: 1);
        cluster.CreateTopic(Topic, partitions: 1);
        // Offsets: 0–9 in the window, 10 past it by 1 min, 11 late but in the window, 12 past by 10 min, 13 in the window.
        var messages = Enumerable.Range(0, 10).Select(i => (0, Ms(TimeSpan.FromSeconds(i)), $"in{i}")).ToList();
        messages.Add((0, Ms(TimeSpan.FromMinutes(11)), "past-1m"));
        messages.Add((0, Ms(TimeSpan.FromSeconds(30)), "late"));
        messages.Add((0, Ms(TimeSpan.FromMinutes(20)), "past-10m"));
        messages.Add((0, Ms(TimeSpan.FromSeconds(40)), "too-late"));
        Produce(cluster.BootstrapServers, Topic, messages);

        var withGrace = PlanAndRead(Options(cluster, Topic, Base, Base.AddMinutes(10), grace: TimeSpan.FromMinutes(5)));
        Assert.Equal([.. Enumerable.Range(0, 10).Select(o => (long)o), 11L], withGrace.Records.Select(r => r.Offset));
        Assert.Equal(13, withGrace.Counts[0].Read);

        var strict = PlanAndRead(Options(cluster, Topic, Base, Base.AddMinutes(10), grace: TimeSpan.Zero));
        Assert.Equal(Enumerable.Range(0, 10).Select(o => (long)o), strict.Records.Select(r => r.Offset));
        Assert.Equal(11, strict.Counts[0].Read);
    }

    [Fact]
    public void Messages_produced_after_the_plan_are_left_alone()
    {
        using var cluster = PairsPerSecond();
        var options = Options(cluster, Topic, Base, Base.AddHours(1), grace: TimeSpan.FromHours(1));
        using var reader = new KafkaRangeReader(options);
        var plan = reader.Plan();
        // Also inside the window, but produced after the high watermark was captured.
        Produce(cluster.BootstrapServers, Topic, Enumerable.Range(0, 10).Select(i => (0, Ms(TimeSpan.FromMinutes(1)), $"new{i}")));

        var offsets = new List<long>();
        var counts = reader.Read(plan, batch => offsets.AddRange(batch.Select(r => r.Offset)));

        Assert.Equal(100, Assert.Single(plan).High);
        Assert.Equal(Enumerable.Range(0, 100).Select(o => (long)o), offsets);
        Assert.Equal(100, counts[0].Read);
    }

    [Fact]
    public void Batches_are_cut_at_the_batch_size_and_keep_kafka_coordinates()
    {
        using var cluster = PairsPerSecond();
        var options = Options(cluster, Topic, Base, Base.AddHours(1), batchSize: 30);
        using var reader = new KafkaRangeReader(options);
        var sizes = new List<int>();
        var first = default(Core.Model.RawRecord);
        reader.Read(reader.Plan(), batch =>
        {
            if (sizes.Count == 0)
            {
                first = batch[0];
            }

            sizes.Add(batch.Count);
        });

        Assert.Equal([30, 30, 30, 10], sizes);
        Assert.Equal((Topic, 0, 0L, Base), (first.Topic, first.Partition, first.Offset, first.Timestamp));
        Assert.Equal("m0", System.Text.Encoding.UTF8.GetString(first.Value.Span));
    }

    [Fact]
    public void A_missing_topic_is_a_kafka_error()
    {
        using var cluster = EmbeddedKafkaCluster.StartEmpty(brokers: 1);
        using var reader = new KafkaRangeReader(Options(cluster, "no_such_topic", Base, Base.AddHours(1)));
        var error = Assert.Throws<Confluent.Kafka.KafkaException>(() => reader.Plan());
        Assert.Equal(Confluent.Kafka.ErrorCode.UnknownTopicOrPart, error.Error.Code);
    }
}
