using Ecommerce.Pipeline.BigQuery.Rest;
using Ecommerce.Pipeline.Core.Processing;

namespace Ecommerce.Pipeline.BigQuery;

/// <summary>
/// Checks both tables through the REST API (<c>tables.get</c>) and creates a missing one when allowed
/// (<c>tables.insert</c>), once: every BigQuery sink, whatever API it writes rows through, starts here.
/// </summary>
internal sealed class BigQueryTableSetup : IDisposable
{
    private readonly BigQueryClient _client;
    private readonly BigQuerySinkOptions _options;
    private readonly Action<string> _created;
    private readonly SemaphoreSlim _ensureLock = new(1, 1);
    private volatile bool _tablesReady;

    /// <param name="client">The REST client.</param>
    /// <param name="options">The dataset and table names, and whether tables may be created.</param>
    /// <param name="created">Told the table id of each table created here (or by another processor a moment before).</param>
    public BigQueryTableSetup(BigQueryClient client, BigQuerySinkOptions options, Action<string> created)
    {
        _client = client;
        _options = options;
        _created = created;
    }

    /// <summary>Runs once; later calls return at once. A table that disappears later is never re-created.</summary>
    public async Task EnsureTablesAsync(CancellationToken cancellationToken)
    {
        if (_tablesReady)
        {
            return;
        }

        await _ensureLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_tablesReady)
            {
                return;
            }

            await EnsureTableAsync(BigQueryTables.Transactions(_options.ProjectId, _options.DatasetId, _options.TableId),
                cancellationToken).ConfigureAwait(false);
            await EnsureTableAsync(BigQueryTables.DeadLetters(_options.ProjectId, _options.DatasetId, _options.DeadLetterTableId),
                cancellationToken).ConfigureAwait(false);
            _tablesReady = true;
        }
        finally
        {
            _ensureLock.Release();
        }
    }

    private async Task EnsureTableAsync(TableResource definition, CancellationToken cancellationToken)
    {
        var reference = definition.TableReference!;
        var name = $"{reference.ProjectId}.{reference.DatasetId}.{reference.TableId}";
        var existing = await _client.GetTableAsync(reference.ProjectId!, reference.DatasetId!, reference.TableId!,
            cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return;
        }

        if (!_options.CreateTables)
        {
            // Nobody but a person can fix this: the host must stop, not retry (SinkUnavailableException).
            throw new SinkUnavailableException($"BigQuery table {name} does not exist and table creation is off.");
        }

        try
        {
            await _client.InsertTableAsync(definition, cancellationToken).ConfigureAwait(false);
            _created(reference.TableId!);
        }
        catch (BigQueryException ex) when (ex.Status == System.Net.HttpStatusCode.Conflict)
        {
            // Another processor created it first, moments ago: it is as new to the streaming system as our own.
            _created(reference.TableId!);
        }
        catch (BigQueryException ex) when (ex.Status == System.Net.HttpStatusCode.NotFound)
        {
            throw new SinkUnavailableException($"BigQuery table {name} cannot be created: dataset not found ({ex.Message}).", ex);
        }
    }

    public void Dispose() => _ensureLock.Dispose();
}
