using System.Globalization;

namespace Ecommerce.Pipeline.Core.Parsing;

/// <summary>
/// Reads the accepted timestamp forms (docs/contract.md, "Input forms") into a UTC <see cref="DateTime"/> truncated to microseconds:
/// ISO 8601 with <c>Z</c> or an offset, ISO 8601 without offset (UTC), <c>YYYY-MM-DD HH:MM:SS[.fff]</c> (UTC),
/// and epoch seconds or milliseconds (values ≥ 100,000,000,000 are milliseconds) as a number or numeric string.
/// </summary>
internal static class TimestampParser
{
    public const long MillisecondsThreshold = 100_000_000_000;

    private const long MinUnixSeconds = -62_135_596_800; // 0001-01-01
    private const long MaxUnixSeconds = 253_402_300_799; // 9999-12-31T23:59:59

    /// <summary>A timestamp string: ISO 8601 forms, or an epoch number written as a string.</summary>
    public static bool TryParseText(ReadOnlySpan<char> text, out DateTime utc)
    {
        var s = text.Trim();
        if (s.Length >= 10 && s[4] == '-')
        {
            return TryParseIso(s, out utc);
        }

        return TryParseEpoch(s, allowExponent: false, out utc);
    }

    /// <summary>A JSON number: epoch seconds or milliseconds, possibly fractional.</summary>
    public static bool TryParseNumber(ReadOnlySpan<char> text, out DateTime utc) =>
        TryParseEpoch(text, allowExponent: true, out utc);

    /// <summary>Formats a timestamp the way the warehouse shows it: RFC 3339, UTC, microseconds.</summary>
    public static string Format(DateTime utc) =>
        utc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static bool TryParseEpoch(ReadOnlySpan<char> s, bool allowExponent, out DateTime utc)
    {
        utc = default;
        if (s.IsEmpty)
        {
            return false;
        }

        // Only plain decimal digits (and a sign/point): "0x10", " 1", "1_000" and the like are not timestamps.
        foreach (var c in s)
        {
            if (!(char.IsAsciiDigit(c) || c is '-' or '.' || (allowExponent && c is 'e' or 'E' or '+')))
            {
                return false;
            }
        }

        var style = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint |
                    (allowExponent ? NumberStyles.AllowExponent : NumberStyles.None);
        if (!decimal.TryParse(s, style, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        var seconds = value >= MillisecondsThreshold ? value / 1000m : value;
        if (seconds < MinUnixSeconds || seconds > MaxUnixSeconds)
        {
            return false;
        }

        // Truncate to whole microseconds.
        var micros = decimal.Truncate(seconds * 1_000_000m);
        utc = DateTime.UnixEpoch.AddTicks((long)micros * 10);
        return true;
    }

    private static bool TryParseIso(ReadOnlySpan<char> s, out DateTime utc)
    {
        utc = default;
        // YYYY-MM-DD
        if (!TryDigits(s, 0, 4, out var year) || s[4] != '-' || !TryDigits(s, 5, 2, out var month) || s[7] != '-' ||
            !TryDigits(s, 8, 2, out var day))
        {
            return false;
        }

        // Date and time are separated by 'T' (either case) or one space; a date alone is not a transaction time.
        if (s.Length < 16 || s[10] is not ('T' or 't' or ' '))
        {
            return false;
        }

        if (!TryDigits(s, 11, 2, out var hour) || s[13] != ':' || !TryDigits(s, 14, 2, out var minute))
        {
            return false;
        }

        var i = 16;
        var second = 0;
        long fractionTicks = 0;
        if (i < s.Length && s[i] == ':')
        {
            if (!TryDigits(s, i + 1, 2, out second))
            {
                return false;
            }

            i += 3;
            if (i < s.Length && (s[i] == '.' || s[i] == ','))
            {
                i++;
                var start = i;
                var scale = 1_000_000L; // first fraction digit is worth 10^6 ticks
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    fractionTicks += (s[i] - '0') * scale;
                    scale /= 10;
                    i++;
                }

                if (i == start)
                {
                    return false;
                }
            }
        }

        var offsetMinutes = 0;
        if (i < s.Length)
        {
            var c = s[i];
            if (c is 'Z' or 'z')
            {
                i++;
            }
            else if (c is '+' or '-')
            {
                var sign = c == '-' ? -1 : 1;
                i++;
                if (!TryDigits(s, i, 2, out var offHours))
                {
                    return false;
                }

                i += 2;
                var offMinutes = 0;
                if (i < s.Length)
                {
                    if (s[i] == ':')
                    {
                        i++;
                    }

                    if (!TryDigits(s, i, 2, out offMinutes))
                    {
                        return false;
                    }

                    i += 2;
                }

                if (offHours > 23 || offMinutes > 59)
                {
                    return false;
                }

                offsetMinutes = sign * (offHours * 60 + offMinutes);
            }
            else
            {
                return false;
            }
        }

        if (i != s.Length)
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 ||
            minute > 59 || second > 59)
        {
            return false;
        }

        var ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks + fractionTicks -
                    offsetMinutes * TimeSpan.TicksPerMinute;
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        utc = new DateTime(ticks - ticks % 10, DateTimeKind.Utc);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> s, int start, int count, out int value)
    {
        value = 0;
        if (start + count > s.Length)
        {
            return false;
        }

        for (var i = start; i < start + count; i++)
        {
            var c = s[i];
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = value * 10 + (c - '0');
        }

        return true;
    }
}
