namespace Ecommerce.Pipeline.BigQuery.StorageWrite;

/// <summary>Writes one table's rows through the Storage Write API, with the sink's delivery guarantee.</summary>
internal interface IStorageTableWriter<TRow> : IAsyncDisposable
{
    /// <summary>Stores <paramref name="items"/>; returns what was stored, skipped as already stored, and refused.</summary>
    /// <param name="items">Rows of any partitions.</param>
    /// <param name="rereadWatermarks">Read the partitions' watermarks from the table first (another process may have written).</param>
    /// <param name="cancellationToken">Stops the write; what was acknowledged stays stored.</param>
    Task<TableWriteResult<TRow>> WriteAsync(IReadOnlyList<TRow> items, bool rereadWatermarks, CancellationToken cancellationToken);

    /// <summary>The partitions are this process's now: their watermarks are read on their next write.</summary>
    Task AssignAsync(IReadOnlyCollection<int> partitions, CancellationToken cancellationToken);

    /// <summary>The partitions are no longer this process's: finalize their streams, forget their watermarks.</summary>
    Task ReleaseAsync(IReadOnlyCollection<int> partitions, CancellationToken cancellationToken);
}

/// <summary>Rows newly stored, rows skipped because the table already held them, and rows the service refused.</summary>
internal sealed record TableWriteResult<TRow>(int Stored, int Skipped, IReadOnlyList<(TRow Row, string Message)> Refused);
