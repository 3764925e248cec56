namespace Ecommerce.Pipeline.BigQuery.StorageWrite;

/// <summary>
/// At-least-once writes to one table through its <c>_default</c> stream: no offsets, no watermark, rows visible at
/// once. A redelivered record is stored again; the dedup view and compaction remove the copy, as with insertAll.
/// </summary>
internal sealed class DefaultStreamWriter<TRow> : IStorageTableWriter<TRow>
{
    private readonly ProtoRowEncoder<TRow> _encoder;
    private readonly AppendConnection _connection;

    public DefaultStreamWriter(StorageWriteContext context, string tableId, ProtoRowEncoder<TRow> encoder)
    {
        _encoder = encoder;
        _connection = context.Client.Open(StorageWriteClient.DefaultStream(context.TablePath(tableId)), encoder.WriterSchema,
            context.NotFound(tableId));
    }

    public async Task<TableWriteResult<TRow>> WriteAsync(IReadOnlyList<TRow> items, bool holdAfterRefusal, CancellationToken cancellationToken)
    {
        var pending = items.ToList();
        var stored = 0;
        var refused = new List<(TRow, string)>();
        while (pending.Count > 0)
        {
            var result = await _connection.AppendAsync([.. pending.Select(_encoder.Encode)], null, cancellationToken).ConfigureAwait(false);
            stored += result.Stored;
            pending = RowResends.Remaining(pending, result, refused);
        }

        return new TableWriteResult<TRow>(stored, 0, refused, []);
    }

    public Task ForgetWatermarksAsync(IReadOnlyCollection<int> partitions, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task AssignAsync(IReadOnlyCollection<int> partitions, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ReleaseAsync(IReadOnlyCollection<int> partitions, CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
