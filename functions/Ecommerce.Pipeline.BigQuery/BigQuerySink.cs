using System.Collections.Concurrent;
using System.Globalization;
using Ecommerce.Pipeline.BigQuery.Rest;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.Core.Schema;

namespace Ecommerce.Pipeline.BigQuery;

/// <summary>
/// The BigQuery warehouse over the streaming API (<c>tabledata.insertAll</c>).
/// </summary>
/// <remarks>
/// <para>Idempotency rests on <c>insertId</c>: <c>transaction_id</c> for rows, <c>topic:partition:offset</c> for dead
/// letters. BigQuery de-duplicates on it <em>best effort</em> (about a minute's window, not guaranteed), so a batch
/// re-sent long after, or an unlucky retry, can leave a duplicate row; readers that need exact-once dedupe on the key
/// (e.g. <c>QUALIFY ROW_NUMBER() OVER (PARTITION BY transaction_id ORDER BY ingested_at) = 1</c>).</para>
/// <para>The API does not say which rows it dropped as duplicates, so this sink reports <c>Duplicates = 0</c> and
/// counts every accepted row as inserted.</para>
/// <para>Rows BigQuery refuses for good (<c>invalid</c> and other non-transient row errors) are returned as
/// <see cref="RowWriteResult.Rejected"/>; rows that came back <c>stopped</c> (a neighbour was invalid) or with a
/// transient row error are re-sent, alone. Request-level transient failures are retried by the client; what outlives
/// the retries throws, so the caller retries the batch and never commits its offsets.</para>
/// </remarks>
public sealed class BigQuerySink : ITransactionSink
{
    private readonly BigQueryClient _client;
    private readonly bool _ownsClient;
    private readonly BigQuerySinkOptions _options;
    private readonly RowEncoder<TransactionRow> _rowEncoder;
    private readonly RowEncoder<DeadLetter> _deadLetterEncoder;
    private readonly byte[] _prefix;
    private readonly SemaphoreSlim _ensureLock = new(1, 1);
    private volatile bool _tablesReady;

    public BigQuerySink(BigQueryClient client, BigQuerySinkOptions options, bool ownsClient = false)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRowsPerRequest, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRequestBytes, 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrentRequests, 1);
        _client = client;
        _ownsClient = ownsClient;
        _options = options;
        _rowEncoder = new RowEncoder<TransactionRow>(PipelineSchema.Transactions, r => r.TransactionId);
        _deadLetterEncoder = new RowEncoder<DeadLetter>(PipelineSchema.DeadLetters, BigQueryTables.DeadLetterInsertId);
        _prefix = InsertAllRequests.Prefix(options.SkipInvalidRows);
    }

    /// <summary>
    /// Builds the client (ADC, or no credentials with an endpoint override), checks or creates both tables, and
    /// returns a ready sink: a sink that cannot make progress (auth refused, dataset missing) fails here, loudly.
    /// </summary>
    public static async Task<BigQuerySink> CreateAsync(BigQuerySinkOptions options, BigQueryClientOptions clientOptions,
        CancellationToken cancellationToken)
    {
        var client = await BigQueryClient.CreateAsync(clientOptions, cancellationToken).ConfigureAwait(false);
        var sink = new BigQuerySink(client, options, ownsClient: true);
        try
        {
            await sink.EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
            return sink;
        }
        catch
        {
            await sink.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public string Name => "bigquery";

    public BigQuerySinkOptions Options => _options;

    /// <summary>insertAll requests sent (re-sends included), for tests and metrics.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    private long _requests;

    /// <summary><c>tables.get</c> both tables; create a missing one when allowed. Runs once; later calls return at once.</summary>
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
        }
        catch (BigQueryException ex) when (ex.Status == System.Net.HttpStatusCode.Conflict)
        {
            // Another processor created it first: fine.
        }
        catch (BigQueryException ex) when (ex.Status == System.Net.HttpStatusCode.NotFound)
        {
            throw new SinkUnavailableException($"BigQuery table {name} cannot be created: dataset not found ({ex.Message}).", ex);
        }
    }

    public Task<RowWriteResult> WriteRowsAsync(IReadOnlyList<TransactionRow> rows, CancellationToken cancellationToken) =>
        RefusalsAreFatal(() => WriteRowsCoreAsync(rows, cancellationToken));

    public Task WriteDeadLettersAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken) =>
        RefusalsAreFatal(async () =>
        {
            await WriteDeadLettersCoreAsync(deadLetters, cancellationToken).ConfigureAwait(false);
            return true;
        });

    /// <summary>
    /// Credentials refused (401/403 other than rate and quota limits): no retry can fix this, so it becomes
    /// <see cref="SinkUnavailableException"/> and the host stops, loudly, instead of stalling on the batch forever.
    /// (A table gone mid-run is recreated on the retry; a dataset that is missing, or a table that may not be
    /// created, is reported as <see cref="SinkUnavailableException"/> where the tables are checked, at start or on
    /// that retry.)
    /// </summary>
    private static async Task<T> RefusalsAreFatal<T>(Func<Task<T>> write)
    {
        try
        {
            return await write().ConfigureAwait(false);
        }
        catch (BigQueryException ex) when (!ex.IsTransient && !ex.IsQuotaExceeded
            && ex.Status is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden)
        {
            throw new SinkUnavailableException($"BigQuery refuses the write and retrying cannot help: {ex.Message}", ex);
        }
    }

    private async Task<RowWriteResult> WriteRowsCoreAsync(IReadOnlyList<TransactionRow> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return RowWriteResult.Empty;
        }

        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var encoded = Encode(rows, _rowEncoder);
        var refused = await InsertAsync(_options.TableId, encoded, cancellationToken).ConfigureAwait(false);
        if (refused.Count == 0)
        {
            return new RowWriteResult(rows.Count, 0, []);
        }

        var rejected = refused.OrderBy(r => r.Key).Select(r => new RowRejection(rows[r.Key], r.Value)).ToList();
        return new RowWriteResult(rows.Count - rejected.Count, 0, rejected);
    }

    private async Task WriteDeadLettersCoreAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deadLetters);
        if (deadLetters.Count == 0)
        {
            return;
        }

        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var encoded = Encode(deadLetters, _deadLetterEncoder);
        var refused = await InsertAsync(_options.DeadLetterTableId, encoded, cancellationToken).ConfigureAwait(false);
        if (refused.Count > 0)
        {
            // A dead letter is already the last resort; dropping one silently would lose the record of a message.
            var (index, message) = refused.OrderBy(r => r.Key).First();
            throw new BigQueryException(string.Create(CultureInfo.InvariantCulture,
                $"BigQuery refused {refused.Count} dead letter(s) for {_options.DeadLetterTableId}, e.g. #{index}: {message}"));
        }
    }

    private static byte[][] Encode<T>(IReadOnlyList<T> items, RowEncoder<T> encoder)
    {
        var encoded = new byte[items.Count][];
        if (items.Count < 256)
        {
            for (var i = 0; i < items.Count; i++)
            {
                encoded[i] = encoder.Encode(items[i]);
            }
        }
        else
        {
            Parallel.For(0, items.Count, i => encoded[i] = encoder.Encode(items[i]));
        }

        return encoded;
    }

    /// <summary>Sends the rows, re-sending only those that came back stopped; returns the refused ones by index.</summary>
    private async Task<Dictionary<int, string>> InsertAsync(string tableId, byte[][] encoded, CancellationToken cancellationToken)
    {
        var refused = new Dictionary<int, string>();
        IReadOnlyList<int> pending = [.. Enumerable.Range(0, encoded.Length)];
        for (var round = 0; pending.Count > 0; round++)
        {
            if (round > _options.MaxRowResendRounds)
            {
                // Transient by nature: the caller retries the whole batch, insertId keeps that safe.
                throw new BigQueryException(string.Create(CultureInfo.InvariantCulture,
                    $"BigQuery kept answering 'stopped' or a transient row error for {pending.Count} row(s) of {tableId} after {round} rounds."));
            }

            var chunks = InsertAllRequests.Split(encoded, pending, _prefix.Length, _options.MaxRowsPerRequest,
                _options.MaxRequestBytes);
            var resend = new ConcurrentBag<int>();
            var refusedNow = new ConcurrentDictionary<int, string>();
            await Parallel.ForEachAsync(chunks,
                new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrentRequests, CancellationToken = cancellationToken },
                async (chunk, ct) =>
                {
                    var body = InsertAllRequests.Body(_prefix, encoded, chunk);
                    Interlocked.Increment(ref _requests);
                    TableDataInsertAllResponse response;
                    try
                    {
                        response = await _client.InsertAllAsync(_options.ProjectId, _options.DatasetId, tableId, body, ct)
                            .ConfigureAwait(false);
                    }
                    catch (BigQueryException ex) when (ex.Status == System.Net.HttpStatusCode.NotFound)
                    {
                        // The table went away under us: the batch's retry checks (and, if allowed, recreates) it first.
                        _tablesReady = false;
                        throw;
                    }

                    Classify(tableId, chunk, response, resend, refusedNow);
                }).ConfigureAwait(false);

            foreach (var (index, message) in refusedNow)
            {
                refused[index] = message;
            }

            pending = [.. resend.Order()];
        }

        return refused;
    }

    private static void Classify(string tableId, int[] chunk, TableDataInsertAllResponse response, ConcurrentBag<int> resend,
        ConcurrentDictionary<int, string> refused)
    {
        foreach (var error in response.InsertErrors ?? [])
        {
            if (error.Index < 0 || error.Index >= chunk.Length)
            {
                throw new BigQueryException(string.Create(CultureInfo.InvariantCulture,
                    $"BigQuery insertAll on {tableId} reported row index {error.Index} of a {chunk.Length}-row request."));
            }

            var row = chunk[error.Index];
            var errors = error.Errors ?? [];
            var final = errors.Where(e => e.Reason != BigQueryErrorReasons.Stopped && !BigQueryErrorReasons.IsTransient(e.Reason)).ToList();
            if (final.Count == 0)
            {
                resend.Add(row);
            }
            else
            {
                refused[row] = string.Join("; ", final.Select(e =>
                    $"{e.Reason}{(string.IsNullOrEmpty(e.Location) ? "" : " at " + e.Location)}: {e.Message}"));
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _ensureLock.Dispose();
        if (_ownsClient)
        {
            _client.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
