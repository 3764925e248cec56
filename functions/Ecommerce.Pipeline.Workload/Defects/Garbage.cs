using System.Globalization;
using System.Text;
using Ecommerce.Pipeline.Core.Configuration;

namespace Ecommerce.Pipeline.Workload.Defects;

/// <summary>The wrong values real clients send, each earning one dead-letter reason (docs/contract.md, Reason codes).</summary>
internal static class Garbage
{
    /// <summary>Kinds of a wrong id: boolean, fraction, array, object, too long, control character.</summary>
    public const int BadIdKinds = 6;

    public const int BadPriceKinds = 11;

    public static readonly string[] BadCurrencies = ["US", "DOLLARS", "U$D", "12"];

    public static readonly string[] BadTimestamps =
    [
        "yesterday", "not a timestamp", "2025-02-30T10:00:00Z", "2025-13-01 10:00:00", "25/12/2025 10:00", "12abc",
    ];

    public static readonly string[] Channels = ["web", "ios", "android"];

    /// <summary>Text from a Latin-1 or broken client: each is a JSON string whose bytes are not valid UTF-8.</summary>
    public static readonly byte[][] Latin1Notes =
    [
        [.. "\"Caf"u8, 0xE9, .. " au lait\""u8],
        [.. "\"S"u8, 0xE3, .. "o Paulo\""u8],
        [.. "\"gift "u8, 0x80, 0x80, .. "\""u8],
        [.. "\"overlong "u8, 0xC0, 0xAF, .. "\""u8],
        [.. "\""u8, 0xFF, 0xFE, .. "wrap\""u8],
        [.. "\"surrogate "u8, 0xED, 0xA0, 0x80, .. "\""u8],
    ];

    /// <summary>A line-item list a little over the processor's size limit on its own.</summary>
    public static readonly byte[] HugeItems = BuildHugeItems();

    private static byte[] BuildHugeItems()
    {
        var text = new StringBuilder(Limits.MaxMessageBytes + 512);
        text.Append('[');
        for (var i = 0; text.Length <= Limits.MaxMessageBytes + 256; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            text.Append(CultureInfo.InvariantCulture, $"{{\"sku\":\"SKU-{i % 50:D5}\",\"qty\":1,\"note\":\"gift wrap\"}}");
        }

        text.Append(']');
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
