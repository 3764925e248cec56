namespace Ecommerce.Pipeline.Core.Geo;

/// <summary>
/// Canonical lookup key for a country name or code: upper-case ASCII letters and digits only, Latin accents
/// folded, and the words "and", "the", "of" dropped unless they are all there is. So "  the bahamas ",
/// "Bosnia &amp; Herzegovina", "Côte d'Ivoire" and "U.S.A." meet the keys of the names as the dataset spells them.
/// </summary>
internal static class NameKey
{
    /// <summary>Longest key accepted on the lookup path; every real name is far shorter.</summary>
    public const int MaxLength = 96;

    // Folds for U+00C0..U+00FF; '\0' is a separator (the multiplication and division signs). Æ and ß are expanded
    // separately because they fold to two letters.
    private const string Latin1 = "AAAAAAACEEEEIIIIDNOOOOO\0OUUUUYTSAAAAAAACEEEEIIIIDNOOOOO\0OUUUUYTY";

    // Folds for U+0100..U+017F (Latin Extended-A), one letter each.
    private const string LatinExtendedA =
        "AAAAAACCCCCCCCDDDDEEEEEEEEEEGGGGGGGGHHHHIIIIIIIIIIIIJJKKKLLLLLLLLLLNNNNNNNNNOOOOOOOORRRRRRSSSSSSSSTTTTTTUUUUUUUUUUUUWWYYYZZZZZZS";

    /// <summary>Writes the key of <paramref name="text"/> into <paramref name="destination"/>.</summary>
    /// <returns>The key length (0 when the text has no letter or digit), or -1 when the destination is too small.</returns>
    public static int Write(ReadOnlySpan<char> text, Span<char> destination)
    {
        var length = Write(text, destination, dropStopWords: true);
        // A text made only of stop words ("The") is still a key of its own.
        return length == 0 ? Write(text, destination, dropStopWords: false) : length;
    }

    /// <summary>The key as a string; for building the tables, not for the hot path.</summary>
    public static string Of(string text)
    {
        var buffer = new char[(text.Length * 2) + 1];
        var length = Write(text, buffer);
        return length <= 0 ? string.Empty : new string(buffer, 0, length);
    }

    private static int Write(ReadOnlySpan<char> text, Span<char> destination, bool dropStopWords)
    {
        var length = 0;
        var wordStart = 0;
        Span<char> folded = stackalloc char[2];
        for (var i = 0; i <= text.Length; i++)
        {
            var count = i < text.Length ? Fold(text[i], folded) : 0;
            if (count == 0)
            {
                if (dropStopWords && IsStopWord(destination[wordStart..length]))
                {
                    length = wordStart;
                }

                wordStart = length;
                continue;
            }

            if (length + count > destination.Length)
            {
                return -1;
            }

            folded[..count].CopyTo(destination[length..]);
            length += count;
        }

        return length;
    }

    private static bool IsStopWord(ReadOnlySpan<char> word) =>
        word.SequenceEqual("AND") || word.SequenceEqual("THE") || word.SequenceEqual("OF");

    /// <summary>Folds one character into 0 (separator), 1 or 2 key characters.</summary>
    private static int Fold(char c, Span<char> output)
    {
        switch (c)
        {
            case >= 'A' and <= 'Z' or >= '0' and <= '9':
                output[0] = c;
                return 1;
            case >= 'a' and <= 'z':
                output[0] = (char)(c - 32);
                return 1;
            case < '\u00C0':
                return 0;
            case '\u00C6' or '\u00E6':
                output[0] = 'A';
                output[1] = 'E';
                return 2;
            case '\u00DF':
                output[0] = 'S';
                output[1] = 'S';
                return 2;
            case '\u0152' or '\u0153':
                output[0] = 'O';
                output[1] = 'E';
                return 2;
            case <= '\u00FF':
                output[0] = Latin1[c - '\u00C0'];
                return output[0] == '\0' ? 0 : 1;
            case <= '\u017F':
                output[0] = LatinExtendedA[c - '\u0100'];
                return 1;
            default:
                // Other scripts never match a key, but they keep the word together rather than splitting it.
                if (!char.IsLetterOrDigit(c))
                {
                    return 0;
                }

                output[0] = char.ToUpperInvariant(c);
                return 1;
        }
    }
}
