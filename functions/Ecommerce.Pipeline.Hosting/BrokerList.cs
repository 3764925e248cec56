using System.Globalization;

namespace Ecommerce.Pipeline.Hosting;

/// <summary>
/// The form of <c>KafkaBrokerList</c> (docs/contract.md, "Settings"): <c>HOST:PORT</c> entries separated by commas,
/// the host a name or an IPv4 address or a bracketed IPv6 address (<c>[::1]:9092</c>), the port 1–65535. Checked at
/// start, so a typo is one clear message instead of a client that keeps failing to connect.
/// </summary>
internal static class BrokerList
{
    /// <summary>The first entry that is not <c>HOST:PORT</c>, or null when all are.</summary>
    public static string? FirstInvalid(string brokers)
    {
        foreach (var entry in brokers.Split(','))
        {
            if (!IsHostPort(entry.Trim()))
            {
                return entry.Trim();
            }
        }

        return null;
    }

    private static bool IsHostPort(string entry)
    {
        var colon = entry.LastIndexOf(':');
        if (colon <= 0)
        {
            return false;
        }

        var host = entry[..colon];
        var portText = entry[(colon + 1)..];
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return false;
        }

        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            return Uri.CheckHostName(host[1..^1]) == UriHostNameType.IPv6;
        }

        // A host name or IPv4 address: the same check as a URI's host (letters, digits, '-', '.', '_').
        return Uri.CheckHostName(host) is UriHostNameType.Dns or UriHostNameType.IPv4
            || host.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_');
    }
}
