using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Kafka.Consuming;
using Ecommerce.Pipeline.Kafka.Tests.Producing;

namespace Ecommerce.Pipeline.Kafka.Tests.Consuming;

/// <summary>Batch assembly without a broker: count, bytes and age bounds on a clock that moves only when told to.</summary>
public sealed class BatchAssemblerTests
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private readonly VirtualTimeProvider _clock = new();

    private BatchAssembler Assembler(int maxRecords = 1000, int maxBytes = 1 << 20, int maxWaitMs = 250) =>
        new(maxRecords, maxBytes, TimeSpan.FromMilliseconds(maxWaitMs), _clock);

    private static RawRecord Record(int partition, long offset, int keyBytes = 1, int valueBytes = 4) =>
        new(new byte[keyBytes], new byte[valueBytes], "t", partition, offset, DateTimeOffset.UnixEpoch);

    [Fact]
    public void A_batch_is_sealed_when_it_holds_max_records_and_the_next_one_fills_meanwhile()
    {
        var assembler = Assembler(maxRecords: 3);
        assembler.Append(Record(0, 0));
        assembler.Append(Record(0, 1));

        Assert.Equal(0, assembler.SealIfDue());
        Assert.Null(assembler.Ready);

        assembler.Append(Record(1, 7));
        Assert.Equal(3, assembler.SealIfDue());
        Assert.Equal([0L, 1L, 7L], assembler.Ready!.Records.Select(r => r.Offset));
        Assert.Equal(0, assembler.Building);

        // While the sealed batch waits for hand-off, records keep coming but nothing else is sealed.
        for (var i = 2; i < 6; i++)
        {
            assembler.Append(Record(0, i));
        }

        Assert.Equal(0, assembler.SealIfDue());
        Assert.Equal(4, assembler.Building);

        assembler.HandedOff();
        Assert.Equal(4, assembler.SealIfDue());
        Assert.Equal([2L, 3L, 4L, 5L], assembler.Ready!.Records.Select(r => r.Offset));
    }

    [Fact]
    public void A_batch_is_sealed_when_its_key_and_value_bytes_reach_max_bytes()
    {
        var assembler = Assembler(maxBytes: 10);
        assembler.Append(Record(0, 0, keyBytes: 2, valueBytes: 3));
        Assert.Equal(5, assembler.BuildingBytes);
        Assert.Equal(0, assembler.SealIfDue());

        assembler.Append(Record(0, 1, keyBytes: 2, valueBytes: 3));
        Assert.Equal(2, assembler.SealIfDue());
        Assert.Equal(0, assembler.BuildingBytes);

        // A single record larger than the bound still forms a batch of one.
        assembler.HandedOff();
        assembler.Append(Record(0, 2, keyBytes: 0, valueBytes: 50));
        Assert.Equal(1, assembler.SealIfDue());
    }

    [Fact]
    public void A_batch_is_sealed_once_its_first_record_waited_max_wait()
    {
        var assembler = Assembler(maxWaitMs: 250);
        Assert.Equal(Poll, assembler.NextWait(Poll)); // nothing buffered: a full poll

        assembler.Append(Record(0, 0));
        Assert.Equal(Poll, assembler.NextWait(Poll));
        _clock.Advance(TimeSpan.FromMilliseconds(200));
        assembler.Append(Record(0, 1)); // a later record does not move the deadline
        Assert.Equal(TimeSpan.FromMilliseconds(50), assembler.NextWait(Poll));
        _clock.Advance(TimeSpan.FromMilliseconds(49));
        Assert.Equal(0, assembler.SealIfDue());

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(TimeSpan.Zero, assembler.NextWait(Poll));
        Assert.Equal(2, assembler.SealIfDue());

        // The next batch's clock starts at its own first record.
        assembler.HandedOff();
        _clock.Advance(TimeSpan.FromSeconds(10));
        assembler.Append(Record(0, 2));
        Assert.Equal(0, assembler.SealIfDue());
        _clock.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Equal(1, assembler.SealIfDue());
    }

    [Fact]
    public void Dropping_revoked_partitions_removes_their_records_from_the_building_and_the_sealed_batch()
    {
        var assembler = Assembler(maxRecords: 4);
        assembler.Append(Record(0, 0));
        assembler.Append(Record(1, 0));
        assembler.Append(Record(0, 1));
        assembler.Append(Record(1, 1));
        Assert.Equal(4, assembler.SealIfDue());
        assembler.Append(Record(1, 2, keyBytes: 0, valueBytes: 9));
        assembler.Append(Record(2, 0, keyBytes: 1, valueBytes: 2));

        var dropped = assembler.Drop(p => p == 1, out var fromReady);

        Assert.Equal(3, dropped);
        Assert.Equal(2, fromReady);
        Assert.Equal([(0, 0L), (0, 1L)], assembler.Ready!.Records.Select(r => (r.Partition, r.Offset)));
        Assert.Equal(1, assembler.Building);
        Assert.Equal(3, assembler.BuildingBytes);

        // A sealed batch left empty is gone: nothing to hand off.
        dropped = assembler.Drop(p => p == 0, out fromReady);
        Assert.Equal(2, dropped);
        Assert.Equal(2, fromReady);
        Assert.Null(assembler.Ready);
        Assert.False(assembler.IsEmpty);
        Assert.Equal(1, assembler.Drop(static _ => true, out _));
        Assert.True(assembler.IsEmpty);
    }

    [Fact]
    public void Appending_a_record_allocates_nothing_on_the_hot_path()
    {
        var assembler = Assembler(maxRecords: 1000);
        var records = Enumerable.Range(0, 1000).Select(i => Record(i % 4, i)).ToArray();
        assembler.Append(records[0]); // the first record of a batch reads the clock

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 1; i < records.Length; i++)
        {
            assembler.Append(records[i]);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(1000, assembler.SealIfDue());
    }
}
