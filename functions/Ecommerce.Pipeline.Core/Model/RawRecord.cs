namespace Ecommerce.Pipeline.Core.Model;

/// <summary>
/// One Kafka record as a host received it: the bytes exactly as they were on the wire, plus where they came from.
/// Both hosts (the Functions trigger and the CLI consume loop) build these, so everything downstream is host-agnostic.
/// </summary>
/// <param name="Key">The record key (the user id as UTF-8, optional; empty when absent).</param>
/// <param name="Value">The record value (empty for a tombstone).</param>
/// <param name="Topic">Source topic.</param>
/// <param name="Partition">Source partition.</param>
/// <param name="Offset">Offset within the partition.</param>
/// <param name="Timestamp">The Kafka message timestamp (create or log-append time).</param>
public readonly record struct RawRecord(
    ReadOnlyMemory<byte> Key,
    ReadOnlyMemory<byte> Value,
    string Topic,
    int Partition,
    long Offset,
    DateTimeOffset Timestamp);
