namespace Ecommerce.Pipeline.BigQuery.StorageWrite;

/// <summary>Writes one table's rows through the Storage Write API, with the sink's delivery guarantee.</summary>
internal interface IStorageTableWriter<TRow> : IAsyncDisposable
{
    /// <summary>Stores <paramref name="items"/>; returns what was stored, skipped as already stored, and refused.</summary>
    /// <param name="items">Rows of any partitions.</param>
    /// <param name="holdAfterRefusal">Once rows of a partition are refused, send nothing more of it: its other rows are
    /// returned as <see cref="TableWriteResult{TRow}.Held"/> (a writer without watermarks may ignore this).</param>
    /// <param name="cancellationToken">Stops the write; what was acknowledged stays stored.</param>
    Task<TableWriteResult<TRow>> WriteAsync(IReadOnlyList<TRow> items, bool holdAfterRefusal, CancellationToken cancellationToken);

    /// <summary>Another process may have written these partitions: read their watermarks from the table on their next write.</summary>
    Task ForgetWatermarksAsync(IReadOnlyCollection<int> partitions, CancellationToken cancellationToken);

    /// <summary>The partitions are this process's now: their watermarks are read on their next write.</summary>
    Task AssignAsync(IReadOnlyCollection<int> partitions, CancellationToken cancellationToken);

    /// <summary>The partitions are no longer this process's: finalize their streams, forget their watermarks.</summary>
    Task ReleaseAsync(IReadOnlyCollection<int> partitions, CancellationToken cancellationToken);
}

/// <summary>
/// Rows newly stored, rows skipped because the table already held them, rows the service refused, and rows not sent
/// because rows of their partition were refused (in offset order; the caller writes them later).
/// </summary>
internal sealed record TableWriteResult<TRow>(int Stored, int Skipped, IReadOnlyList<(TRow Row, string Message)> Refused,
    IReadOnlyList<TRow> Held);
