using System.Globalization;

namespace Ecommerce.Pipeline.Workload.Json;

/// <summary>How ids look as text: <c>tx-SEED-SEQUENCE</c>, <c>u004217</c> or digits for a legacy numeric user.</summary>
internal static class Ids
{
    /// <summary>Every tenth user comes from a legacy system with numeric ids.</summary>
    public static bool IsNumericUser(int user) => user % 10 == 0;

    public static long NumericUserId(int user) => 1_000_000 + user;

    /// <summary>The user id as stored (and as the record key); returns the length written.</summary>
    public static int FormatUserId(int user, Span<byte> destination)
    {
        if (IsNumericUser(user))
        {
            NumericUserId(user).TryFormat(destination, out var n, default, CultureInfo.InvariantCulture);
            return n;
        }

        destination[0] = (byte)'u';
        user.TryFormat(destination[1..], out var written, "D6", CultureInfo.InvariantCulture);
        return 1 + written;
    }

    /// <summary>The transaction id: the seed keeps the ids of different runs apart. Returns the length written.</summary>
    public static int FormatTransactionId(uint seed, long sequence, Span<byte> destination)
    {
        "tx-"u8.CopyTo(destination);
        var length = 3;
        seed.TryFormat(destination[length..], out var written, default, CultureInfo.InvariantCulture);
        length += written;
        destination[length++] = (byte)'-';
        sequence.TryFormat(destination[length..], out written, default, CultureInfo.InvariantCulture);
        return length + written;
    }
}
