using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Kafka.Consuming;

namespace Ecommerce.Pipeline.Kafka.Tests.Consuming;

/// <summary>The partition ledger without a broker: what an acknowledged batch allows to commit, and what it never does.</summary>
public sealed class PartitionLedgerTests
{
    private static List<RawRecord> Records(params (int Partition, long Offset)[] records) =>
        [.. records.Select(r => new RawRecord(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, "t", r.Partition, r.Offset,
            DateTimeOffset.UnixEpoch))];

    [Fact]
    public void An_acknowledged_batch_allows_the_offset_after_its_last_record_of_each_owned_partition()
    {
        var ledger = new PartitionLedger();
        ledger.Assign(0);
        ledger.Assign(1);

        var offsets = ledger.NextOffsets(Records((0, 5), (1, 9), (0, 7), (0, 6)));
        Assert.Empty(ledger.ToCommit); // stamped, not acknowledged yet
        ledger.Acknowledge(offsets);

        Assert.Equal(new Dictionary<int, long> { [0] = 8, [1] = 10 }, ledger.ToCommit);

        ledger.Stored();
        Assert.Empty(ledger.ToCommit);
        Assert.Equal(new Dictionary<int, long> { [0] = 8, [1] = 10 }, ledger.Uncommitted);
        Assert.True(ledger.Owns(0));
        Assert.Equal(2, ledger.Count);
    }

    [Fact]
    public void A_stored_offset_stays_pending_until_a_commit_of_it_or_a_later_one_succeeded()
    {
        var ledger = new PartitionLedger();
        ledger.Assign(0);
        ledger.Assign(1);
        ledger.Acknowledge(ledger.NextOffsets(Records((0, 4), (1, 2))));
        ledger.Stored();
        ledger.Acknowledge(ledger.NextOffsets(Records((0, 9))));
        ledger.Stored();

        ledger.Committed(0, 5); // a commit that was in flight before offset 10 was stored
        ledger.Committed(1, 3);
        Assert.Equal(new Dictionary<int, long> { [0] = 10 }, ledger.Uncommitted);

        ledger.Forget([0]);
        Assert.Empty(ledger.Uncommitted); // revoked or lost: nothing of it is committed by this member any more
    }

    [Fact]
    public void An_acknowledgement_never_moves_a_committable_offset_back()
    {
        var ledger = new PartitionLedger();
        ledger.Assign(0);
        var earlier = ledger.NextOffsets(Records((0, 3)));
        var later = ledger.NextOffsets(Records((0, 10)));

        ledger.Acknowledge(later);
        ledger.Acknowledge(earlier);

        Assert.Equal(11, ledger.ToCommit[0]);
    }

    [Fact]
    public void A_partition_owned_again_under_a_newer_assignment_ignores_acknowledgements_from_the_older_one()
    {
        var ledger = new PartitionLedger();
        ledger.Assign(0);
        ledger.Assign(1);
        var readBefore = ledger.NextOffsets(Records((0, 4), (1, 4)));

        // Partition 0 is revoked and assigned back (another member may have committed it further meanwhile).
        ledger.Forget([0]);
        ledger.Assign(0);
        ledger.Acknowledge(readBefore);

        Assert.Equal(new Dictionary<int, long> { [1] = 5 }, ledger.ToCommit);

        var readNow = ledger.NextOffsets(Records((0, 20)));
        ledger.Acknowledge(readNow);
        Assert.Equal(21, ledger.ToCommit[0]);
    }

    [Fact]
    public void Forgetting_a_partition_drops_its_uncommitted_offsets_and_later_acknowledgements_for_it()
    {
        var ledger = new PartitionLedger();
        ledger.Assign(0);
        ledger.Assign(1);
        ledger.Acknowledge(ledger.NextOffsets(Records((0, 1), (1, 1))));
        var inFlight = ledger.NextOffsets(Records((1, 2)));

        ledger.Forget([1]);
        ledger.Acknowledge(inFlight);

        Assert.False(ledger.Owns(1));
        Assert.Equal([0], ledger.Owned);
        Assert.Equal(new Dictionary<int, long> { [0] = 2 }, ledger.ToCommit);
    }

    [Fact]
    public void Records_of_a_partition_not_owned_when_stamped_are_never_committable()
    {
        var ledger = new PartitionLedger();
        var offsets = ledger.NextOffsets(Records((3, 1)));
        ledger.Assign(3);

        ledger.Acknowledge(offsets);

        Assert.Empty(ledger.ToCommit);
    }
}
