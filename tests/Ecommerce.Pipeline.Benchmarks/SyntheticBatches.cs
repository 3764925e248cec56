using System.Text.Json;
using System.Text.RegularExpressions;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Workload;

namespace Ecommerce.Pipeline.Benchmarks;

/// <summary>
/// Batches of the synthetic workload, split by whether the geolocation is coordinates (reverse geocoding) or not
/// (a place text, or none). Messages that are not a JSON object (bad ones) go to each batch in turn, so both keep
/// the workload's bad ratio.
/// </summary>
internal static partial class SyntheticBatches
{
    public const int Seed = 42;

    public static readonly DateTimeOffset Now = new(2025, 11, 25, 12, 0, 0, TimeSpan.Zero);

    public static (RawRecord[] WithoutCoordinates, RawRecord[] WithCoordinates) Build(int count, double badRatio, TimeProvider clock)
    {
        var without = new List<RawRecord>(count);
        var with = new List<RawRecord>(count);
        var nextUnclassified = 0;
        using var generator = new SyntheticTransactions(Seed, badRatio, clock);
        for (long offset = 0; without.Count < count || with.Count < count; offset++)
        {
            var m = generator.Next();
            var target = HasCoordinates(m.Value) switch
            {
                true => with,
                false => without,
                null => nextUnclassified++ % 2 == 0 ? without : with,
            };
            if (target.Count < count)
            {
                target.Add(new RawRecord(m.Key.ToArray(), m.Value.ToArray(), "transactions_stream", (int)(offset % 6), offset, Now));
            }
        }

        return ([.. without], [.. with]);
    }

    /// <summary>Whether the message's geolocation is coordinates; <c>null</c> when the message is not a JSON object.</summary>
    private static bool? HasCoordinates(ReadOnlyMemory<byte> value)
    {
        try
        {
            using var doc = JsonDocument.Parse(value);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            return doc.RootElement.TryGetProperty("geolocation", out var geo) && geo.ValueKind switch
            {
                JsonValueKind.Object => true,
                JsonValueKind.String => CoordinatePair().IsMatch(geo.GetString()!),
                _ => false,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^-?\d+(\.\d+)?, ?-?\d+(\.\d+)?$")]
    private static partial Regex CoordinatePair();
}
