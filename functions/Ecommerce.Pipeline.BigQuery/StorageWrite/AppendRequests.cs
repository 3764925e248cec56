using Google.Protobuf;

namespace Ecommerce.Pipeline.BigQuery.StorageWrite;

/// <summary>Cuts a run of encoded rows into AppendRows requests under a size limit, keeping their order.</summary>
public static class AppendRequests
{
    /// <summary>
    /// The (start, count) of each request: as many rows as fit in <paramref name="maxBytes"/>, counted as they travel in
    /// <c>ProtoRows.serialized_rows</c> (tag, length, bytes). A row larger than the limit goes alone; the service then
    /// refuses it and the sink reports that row.
    /// </summary>
    public static IReadOnlyList<(int Start, int Count)> Split(IReadOnlyList<ByteString> rows, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var chunks = new List<(int Start, int Count)>();
        var start = 0;
        long bytes = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            var size = 1 + CodedOutputStream.ComputeBytesSize(rows[i]);
            if (i > start && bytes + size > maxBytes)
            {
                chunks.Add((start, i - start));
                start = i;
                bytes = 0;
            }

            bytes += size;
        }

        if (rows.Count > start)
        {
            chunks.Add((start, rows.Count - start));
        }

        return chunks;
    }
}
