namespace Ecommerce.Pipeline.Core.Processing;

/// <summary>
/// A sink that wants to know which partitions of the consumed topic this process owns, e.g. to trust a per-partition
/// high-water mark only while it owns the partition. A host that sees its rebalances (the CLI's consume loop) calls
/// these; a host that does not (the Functions host) never does, and the sink must then stay correct without them.
/// </summary>
public interface IPartitionAwareSink
{
    /// <summary>Partitions of the consumed topic now owned by this process.</summary>
    Task PartitionsAssignedAsync(IReadOnlyCollection<int> partitions, CancellationToken cancellationToken);

    /// <summary>Partitions no longer owned (revoked after outstanding batches were stored and committed, or lost).</summary>
    Task PartitionsReleasedAsync(IReadOnlyCollection<int> partitions, CancellationToken cancellationToken);
}
