namespace Ecommerce.Pipeline.BigQuery.StorageWrite;

/// <summary>
/// What an append stored: the first <see cref="Stored"/> rows (acknowledged, or found already written at their offsets),
/// and, when a request was refused for bad rows, those rows by index (nothing from that request on was stored).
/// </summary>
public sealed record AppendResult(int Stored, IReadOnlyDictionary<int, string> RowErrors)
{
    public bool Complete => RowErrors.Count == 0;
}
