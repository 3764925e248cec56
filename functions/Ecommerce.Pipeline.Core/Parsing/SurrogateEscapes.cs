namespace Ecommerce.Pipeline.Core.Parsing;

/// <summary>
/// Finds JSON <c>\uXXXX</c> escapes of a UTF-16 surrogate without its pair (<c>"\ud800"</c>). Such a string is
/// well-formed JSON (RFC 8259, section 8.2, leaves its meaning to the reader) but no Unicode text: it cannot be
/// stored as UTF-8, and <see cref="System.Text.Json.Utf8JsonReader.GetString"/> throws on it. Checked over the whole
/// value before parsing, so the message is judged like one whose bytes are not UTF-8, whichever field holds it.
/// </summary>
internal static class SurrogateEscapes
{
    /// <summary>The byte index of the first lone surrogate escape in <paramref name="json"/>, or -1.</summary>
    public static int IndexOfLone(ReadOnlySpan<byte> json)
    {
        var at = json.IndexOf((byte)'\\');
        while (at >= 0 && at + 1 < json.Length)
        {
            var step = 2; // an escape such as \" or \\ (the second backslash is not an escape of its own)
            if (json[at + 1] == (byte)'u' && TryHex4(json, at + 2, out var unit))
            {
                step = 6;
                if (char.IsLowSurrogate(unit))
                {
                    return at;
                }

                if (char.IsHighSurrogate(unit))
                {
                    var pairs = at + 11 < json.Length && json[at + 6] == (byte)'\\' && json[at + 7] == (byte)'u'
                        && TryHex4(json, at + 8, out var low) && char.IsLowSurrogate(low);
                    if (!pairs)
                    {
                        return at;
                    }

                    step = 12;
                }
            }

            var next = json[(at + step)..].IndexOf((byte)'\\');
            at = next < 0 ? -1 : at + step + next;
        }

        return -1;
    }

    /// <summary>The escape at <paramref name="at"/> as written, e.g. <c>\ud800</c>.</summary>
    public static string Text(ReadOnlySpan<byte> json, int at) =>
        System.Text.Encoding.ASCII.GetString(json.Slice(at, Math.Min(6, json.Length - at)));

    private static bool TryHex4(ReadOnlySpan<byte> json, int start, out char unit)
    {
        unit = '\0';
        if (start + 4 > json.Length)
        {
            return false;
        }

        var value = 0;
        foreach (var b in json.Slice(start, 4))
        {
            var digit = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                return false;
            }

            value = value * 16 + digit;
        }

        unit = (char)value;
        return true;
    }
}
