namespace Ecommerce.Pipeline.Core.Parsing;

/// <summary>Outcome of reading a price.</summary>
internal enum PriceStatus
{
    Ok,
    NotANumber,
    Negative,
    OverLimit,
}

/// <summary>
/// Reads prices exactly from their text (never through binary floating point) and rounds to 2 places half away from
/// zero. Rounding at 2 places needs only the third decimal digit (≥ 5 rounds up), so the digits are used directly and
/// no precision is lost however long the input is.
/// </summary>
internal static class PriceParser
{
    /// <summary>1,000,000.00 in cents.</summary>
    public const long MaxCents = 100_000_000;

    /// <summary>A JSON number token, e.g. <c>1299.99</c>, <c>-0</c>, <c>1.2e3</c>.</summary>
    public static PriceStatus ParseJsonNumber(ReadOnlySpan<char> text, out decimal price) =>
        ParseAmount(text, allowExponent: true, allowGroups: false, out price);

    /// <summary>
    /// A price string: optional currency symbol (<c>$ € £ ¥</c>) or ISO 4217 code before or after the amount (a code
    /// is separated by a space), digits with optional <c>,</c> thousands groups and <c>.</c> decimals.
    /// </summary>
    public static PriceStatus ParseString(ReadOnlySpan<char> text, out decimal price, out string? currency,
        out bool currencyFromSymbol)
    {
        price = 0;
        currency = null;
        currencyFromSymbol = false;
        var s = text.Trim();
        if (s.IsEmpty)
        {
            return PriceStatus.NotANumber;
        }

        // Leading symbol (optionally followed by spaces) or leading "CODE ".
        if (Currencies.FromSymbol(s[0]) is { } leadingSymbol)
        {
            currency = leadingSymbol;
            currencyFromSymbol = true;
            s = s[1..].TrimStart();
        }
        else if (s.Length > 4 && char.IsAsciiLetter(s[0]) && s[3] == ' ' && Currencies.TryNormalize(s[..3], out var leadingCode))
        {
            currency = leadingCode;
            s = s[4..].TrimStart();
        }

        if (s.IsEmpty)
        {
            return PriceStatus.NotANumber;
        }

        // Trailing symbol or " CODE", only when nothing led.
        if (currency is null)
        {
            if (Currencies.FromSymbol(s[^1]) is { } trailingSymbol)
            {
                currency = trailingSymbol;
                currencyFromSymbol = true;
                s = s[..^1].TrimEnd();
            }
            else if (s.Length > 4 && char.IsAsciiLetter(s[^1]) && s[^4] == ' ' && Currencies.TryNormalize(s[^3..], out var trailingCode))
            {
                currency = trailingCode;
                s = s[..^4].TrimEnd();
            }
        }

        return ParseAmount(s, allowExponent: false, allowGroups: true, out price);
    }

    private static PriceStatus ParseAmount(ReadOnlySpan<char> s, bool allowExponent, bool allowGroups, out decimal price)
    {
        price = 0;
        var i = 0;
        var negative = false;
        if (i < s.Length && s[i] == '-')
        {
            negative = true;
            i++;
        }

        // Significant digits go into `digits` (leading zeros skipped); `pointPos` is where the decimal point falls.
        Span<byte> digits = stackalloc byte[24];
        var digitCount = 0;
        var pointPos = 0;
        var anyNonZero = false;
        var intStart = i;

        var groupLength = 0;
        var sawGroupSeparator = false;
        while (i < s.Length)
        {
            var c = s[i];
            if (char.IsAsciiDigit(c))
            {
                Accumulate(c, digits, ref digitCount, ref pointPos, ref anyNonZero, integerPart: true);
                groupLength++;
                i++;
            }
            else if (c == ',' && allowGroups)
            {
                // First group 1–3 digits, every later group exactly 3.
                if (groupLength == 0 || groupLength > 3 || (sawGroupSeparator && groupLength != 3))
                {
                    return PriceStatus.NotANumber;
                }

                sawGroupSeparator = true;
                groupLength = 0;
                i++;
            }
            else
            {
                break;
            }
        }

        var intDigits = i - intStart;
        if (intDigits == 0 || groupLength == 0 || (sawGroupSeparator && groupLength != 3))
        {
            return PriceStatus.NotANumber;
        }

        if (i < s.Length && s[i] == '.')
        {
            i++;
            var fracStart = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                Accumulate(s[i], digits, ref digitCount, ref pointPos, ref anyNonZero, integerPart: false);
                i++;
            }

            if (i == fracStart)
            {
                return PriceStatus.NotANumber;
            }
        }

        if (allowExponent && i < s.Length && (s[i] == 'e' || s[i] == 'E'))
        {
            i++;
            var expNegative = false;
            if (i < s.Length && (s[i] == '+' || s[i] == '-'))
            {
                expNegative = s[i] == '-';
                i++;
            }

            var expStart = i;
            var exponent = 0;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                // Saturate: anything past ±100000 is far outside the range either way.
                exponent = Math.Min(exponent * 10 + (s[i] - '0'), 100_000);
                i++;
            }

            if (i == expStart)
            {
                return PriceStatus.NotANumber;
            }

            pointPos += expNegative ? -exponent : exponent;
        }

        if (i != s.Length)
        {
            return PriceStatus.NotANumber;
        }

        if (!anyNonZero)
        {
            price = new decimal(0, 0, 0, false, 2);
            return PriceStatus.Ok;
        }

        if (negative)
        {
            return PriceStatus.Negative;
        }

        // cents = digits[0 .. pointPos+2), rounded by digits[pointPos+2].
        var centsDigits = pointPos + 2;
        if (centsDigits > 9)
        {
            return PriceStatus.OverLimit;
        }

        long cents = 0;
        for (var d = 0; d < centsDigits; d++)
        {
            cents = cents * 10 + (d < digitCount ? digits[d] : 0);
        }

        if (centsDigits >= 0 && centsDigits < digitCount && digits[centsDigits] >= 5)
        {
            cents++;
        }

        if (cents > MaxCents)
        {
            return PriceStatus.OverLimit;
        }

        price = new decimal((int)(cents & 0xFFFF_FFFF), (int)(cents >> 32), 0, false, 2);
        return PriceStatus.Ok;
    }

    private static void Accumulate(char c, Span<byte> digits, ref int digitCount, ref int pointPos, ref bool anyNonZero,
        bool integerPart)
    {
        var value = (byte)(c - '0');
        if (!anyNonZero && value == 0)
        {
            // A leading zero: in the fraction it moves the point left relative to the significant digits.
            if (!integerPart)
            {
                pointPos--;
            }

            return;
        }

        anyNonZero = true;
        if (integerPart)
        {
            pointPos++;
        }

        // Only the first 12 significant digits can matter (9 for the cents, one to round, and margin).
        if (digitCount < digits.Length)
        {
            digits[digitCount++] = value;
        }
    }
}
