using System.Globalization;
using System.Text;
using System.Text.Json;
using Ecommerce.Pipeline.Core.Model;

namespace Ecommerce.Pipeline.Functions;

/// <summary>
/// Reads the elements the Kafka host extension hands a batched <c>string[]</c> trigger: each is the JSON of its
/// <c>KafkaEventData</c> (<c>Offset</c>, <c>Partition</c>, <c>Topic</c>, <c>Timestamp</c>, <c>Key</c>, <c>Value</c>,
/// <c>Headers</c>), serialised by Newtonsoft with the value already decoded to a string.
/// </summary>
/// <remarks>
/// The host decodes the value as UTF-8 before the function sees it, so invalid UTF-8 arrives with replacement
/// characters and is not reported as <c>invalid_encoding</c> on this path (the CLI path sees the raw bytes).
/// An element that is not such an envelope is a host or binding mismatch, not a poison message: it throws, so the
/// batch is retried and nothing is committed while someone looks.
/// </remarks>
public static class KafkaEventDataReader
{
    public static IReadOnlyList<RawRecord> Read(IReadOnlyList<string> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var records = new RawRecord[events.Count];
        for (var i = 0; i < records.Length; i++)
        {
            records[i] = ReadOne(events[i], i);
        }

        return records;
    }

    /// <exception cref="FormatException">The element is not the JSON of a KafkaEventData.</exception>
    public static RawRecord ReadOne(string kafkaEventData, int index = 0)
    {
        try
        {
            using var document = JsonDocument.Parse(kafkaEventData ?? throw Invalid(index, "null element"));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(index, $"a JSON {root.ValueKind}, not an object");
            }

            long? offset = null;
            int? partition = null;
            string? topic = null;
            DateTimeOffset timestamp = default;
            ReadOnlyMemory<byte> key = default;
            ReadOnlyMemory<byte> value = default;

            // Newtonsoft writes PascalCase; accept any case so a camelCase serialiser setting cannot break us.
            foreach (var property in root.EnumerateObject())
            {
                var name = property.Name;
                var element = property.Value;
                if (Is(name, "Offset"))
                {
                    offset = element.GetInt64();
                }
                else if (Is(name, "Partition"))
                {
                    partition = element.GetInt32();
                }
                else if (Is(name, "Topic"))
                {
                    topic = element.ValueKind == JsonValueKind.String ? element.GetString() : null;
                }
                else if (Is(name, "Timestamp"))
                {
                    timestamp = ReadTimestamp(element, index);
                }
                else if (Is(name, "Key"))
                {
                    key = ReadText(element);
                }
                else if (Is(name, "Value"))
                {
                    value = ReadText(element);
                }
            }

            if (offset is null || partition is null || string.IsNullOrEmpty(topic))
            {
                throw Invalid(index, "Offset, Partition and Topic are required");
            }

            return new RawRecord(key, value, topic, partition.Value, offset.Value, timestamp);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw Invalid(index, e.Message, e);
        }
    }

    private static bool Is(string name, string expected) => string.Equals(name, expected, StringComparison.OrdinalIgnoreCase);

    // Strings are taken as the host decoded them; anything else (an object value of another binding type) keeps
    // its JSON text, so the processor still sees exactly what arrived.
    private static ReadOnlyMemory<byte> ReadText(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => ReadOnlyMemory<byte>.Empty,
        JsonValueKind.String => Encoding.UTF8.GetBytes(element.GetString()!),
        _ => Encoding.UTF8.GetBytes(element.GetRawText()),
    };

    // Newtonsoft writes a DateTime as ISO 8601: with Z for UTC kinds, without an offset for unspecified ones, which
    // Kafka timestamps are in UTC.
    private static DateTimeOffset ReadTimestamp(JsonElement element, int index)
    {
        if (element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var epochMs))
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(epochMs);
        }

        if (element.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(element.GetString(), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return parsed;
        }

        throw Invalid(index, $"unreadable Timestamp {element.GetRawText()}");
    }

    private static FormatException Invalid(int index, string why, Exception? inner = null) =>
        new($"Kafka trigger element {index} is not KafkaEventData JSON ({why}); check the binding is string[] with IsBatched.", inner);
}
