namespace Ecommerce.Pipeline.BigQuery.StorageWrite;

/// <summary>What is left to send after an append: the rows after the stored prefix, without the refused ones.</summary>
internal static class RowResends
{
    /// <summary>Adds the refused rows to <paramref name="refused"/> and returns the rows still to send, in order.</summary>
    /// <exception cref="StorageWriteException">The answer named no row of the request, so re-sending could not make progress.</exception>
    public static List<TRow> Remaining<TRow>(List<TRow> pending, AppendResult result, List<(TRow Row, string Message)> refused)
    {
        if (result.Complete)
        {
            return [];
        }

        var named = result.RowErrors.Keys.Where(i => i >= result.Stored && i < pending.Count).ToHashSet();
        if (named.Count == 0)
        {
            throw new StorageWriteException(
                $"AppendRows refused a request for bad rows but named none of its rows (indexes {string.Join(", ", result.RowErrors.Keys)}).");
        }

        refused.AddRange(named.Order().Select(i => (pending[i], result.RowErrors[i])));
        return [.. pending.Select((row, i) => (row, i)).Where(x => x.i >= result.Stored && !named.Contains(x.i)).Select(x => x.row)];
    }
}
