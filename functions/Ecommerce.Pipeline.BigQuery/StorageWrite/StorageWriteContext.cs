using System.Collections.Concurrent;
using System.Globalization;
using Ecommerce.Pipeline.BigQuery.Rest;
using Ecommerce.Pipeline.Core.Processing;

namespace Ecommerce.Pipeline.BigQuery.StorageWrite;

/// <summary>What the table writers of one sink share: the write client, the options, and which tables are new.</summary>
internal sealed class StorageWriteContext
{
    private readonly NewTables _newTables;
    private long _streamsCreated;

    public StorageWriteContext(StorageWriteClient client, BigQuerySinkOptions sinkOptions)
    {
        Client = client;
        SinkOptions = sinkOptions;
        _newTables = new NewTables(client.Time, sinkOptions);
    }

    public StorageWriteClient Client { get; }

    public BigQuerySinkOptions SinkOptions { get; }

    public StorageWriteOptions Options => Client.Options;

    public long StreamsCreated => Interlocked.Read(ref _streamsCreated);

    public string TablePath(string tableId) =>
        StorageWriteClient.TablePath(SinkOptions.ProjectId, SinkOptions.DatasetId, tableId);

    /// <summary>This sink created the table just now (tables.insert): a NOT_FOUND from it is waited out for a while.</summary>
    public void Created(string tableId) => _newTables.Created(tableId);

    public async Task<string> CreateStreamAsync(string tableId, CancellationToken cancellationToken)
    {
        var name = await Client.CreateCommittedStreamAsync(TablePath(tableId), NotFound(tableId), cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _streamsCreated);
        return name;
    }

    /// <summary>
    /// What a NOT_FOUND on <paramref name="tableId"/> means: metadata of a new table reaches the write path late, as
    /// for insertAll (see <see cref="StreamingInserter"/>), so a table this sink created less than
    /// <see cref="BigQuerySinkOptions.NewTableWait"/> ago is waited for; after that, or for a table that existed at
    /// start, it is gone and the processor stops.
    /// </summary>
    public NewTableWait NotFound(string tableId) => new(ex =>
        _newTables.Waiting(tableId, "the Storage Write API", "NOT_FOUND", ex)
        ?? throw new SinkUnavailableException(
            $"BigQuery table {_newTables.Name(tableId)} is gone (the Storage Write API answered NOT_FOUND) although it existed when the processor started; nothing from this batch on was committed. Restore the table, then restart.", ex),
        SinkOptions.TableWaitBaseDelay, SinkOptions.TableWaitMaxDelay);
}
