namespace Ecommerce.Pipeline.Kafka.Embedded.Chaos;

/// <summary>
/// Kafka protocol request types a client sends, by name, with their ApiKey numbers as the protocol defines them
/// (https://kafka.apache.org/23/generated/protocol_api_keys.html). librdkafka exports no name table for them.
/// </summary>
public static class KafkaApiKeys
{
    public static IReadOnlyDictionary<string, short> All { get; } = new Dictionary<string, short>(StringComparer.OrdinalIgnoreCase)
    {
        ["Produce"] = 0,
        ["Fetch"] = 1,
        ["ListOffsets"] = 2,
        ["Metadata"] = 3,
        ["OffsetCommit"] = 8,
        ["OffsetFetch"] = 9,
        ["FindCoordinator"] = 10,
        ["JoinGroup"] = 11,
        ["Heartbeat"] = 12,
        ["LeaveGroup"] = 13,
        ["SyncGroup"] = 14,
        ["DescribeGroups"] = 15,
        ["ListGroups"] = 16,
        ["ApiVersions"] = 18,
        ["InitProducerId"] = 22,
        ["OffsetForLeaderEpoch"] = 23,
    };

    /// <summary>The name as the table spells it, for any casing of the input.</summary>
    public static string NameOf(short key) => All.First(kv => kv.Value == key).Key;
}
