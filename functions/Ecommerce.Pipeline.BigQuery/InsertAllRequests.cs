using System.Text;

namespace Ecommerce.Pipeline.BigQuery;

/// <summary>Assembles <c>TableDataInsertAllRequest</c> bodies from encoded rows, split by row count and bytes.</summary>
internal static class InsertAllRequests
{
    private static readonly byte[] Suffix = "]}"u8.ToArray();

    public static byte[] Prefix(bool skipInvalidRows) => Encoding.UTF8.GetBytes(
        $"{{\"skipInvalidRows\":{(skipInvalidRows ? "true" : "false")},\"ignoreUnknownValues\":false,\"rows\":[");

    /// <summary>
    /// Splits <paramref name="indices"/> (into <paramref name="encoded"/>) into requests of at most
    /// <paramref name="maxRows"/> rows and <paramref name="maxBytes"/> bytes each. A single row over the limit still
    /// goes alone: BigQuery then refuses that row, which is reported, rather than the sink looping.
    /// </summary>
    public static List<int[]> Split(IReadOnlyList<byte[]> encoded, IReadOnlyList<int> indices, int prefixLength,
        int maxRows, int maxBytes)
    {
        var chunks = new List<int[]>();
        var current = new List<int>(Math.Min(maxRows, indices.Count));
        var size = prefixLength + Suffix.Length;
        foreach (var i in indices)
        {
            var add = encoded[i].Length + (current.Count > 0 ? 1 : 0);
            if (current.Count > 0 && (current.Count >= maxRows || size + add > maxBytes))
            {
                chunks.Add([.. current]);
                current.Clear();
                size = prefixLength + Suffix.Length;
                add = encoded[i].Length;
            }

            current.Add(i);
            size += add;
        }

        if (current.Count > 0)
        {
            chunks.Add([.. current]);
        }

        return chunks;
    }

    public static byte[] Body(byte[] prefix, IReadOnlyList<byte[]> encoded, int[] chunk)
    {
        var length = prefix.Length + Suffix.Length + Math.Max(0, chunk.Length - 1);
        foreach (var i in chunk)
        {
            length += encoded[i].Length;
        }

        var body = new byte[length];
        prefix.CopyTo(body, 0);
        var at = prefix.Length;
        for (var k = 0; k < chunk.Length; k++)
        {
            if (k > 0)
            {
                body[at++] = (byte)',';
            }

            encoded[chunk[k]].CopyTo(body, at);
            at += encoded[chunk[k]].Length;
        }

        Suffix.CopyTo(body, at);
        return body;
    }
}
