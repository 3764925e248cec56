using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Ecommerce.Pipeline.Core.Configuration;

/// <summary>Durations as the CLI writes them: <c>250ms</c>, <c>5s</c>, <c>2m</c>, <c>1h</c> (docs/contract.md, "CLI").</summary>
public static class DurationParser
{
    public static bool TryParse(string? text, [NotNullWhen(true)] out TimeSpan? duration)
    {
        duration = null;
        var s = text.AsSpan().Trim();
        var (unitLength, scale) = s switch
        {
            _ when s.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (2, 1.0),
            _ when s.EndsWith('s') || s.EndsWith('S') => (1, 1_000.0),
            _ when s.EndsWith('m') || s.EndsWith('M') => (1, 60_000.0),
            _ when s.EndsWith('h') || s.EndsWith('H') => (1, 3_600_000.0),
            _ => (0, 0.0),
        };
        if (unitLength == 0 ||
            !double.TryParse(s[..^unitLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) ||
            double.IsInfinity(value * scale) || value * scale > TimeSpan.MaxValue.TotalMilliseconds)
        {
            return false;
        }

        duration = TimeSpan.FromMilliseconds(value * scale);
        return true;
    }

    public static string Format(TimeSpan duration) => duration.TotalMilliseconds switch
    {
        var ms when ms % 3_600_000 == 0 && ms > 0 => FormattableString.Invariant($"{ms / 3_600_000}h"),
        var ms when ms % 60_000 == 0 && ms > 0 => FormattableString.Invariant($"{ms / 60_000}m"),
        var ms when ms % 1_000 == 0 && ms > 0 => FormattableString.Invariant($"{ms / 1_000}s"),
        var ms => FormattableString.Invariant($"{ms}ms"),
    };
}
