using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Ecommerce.Pipeline.BigQuery.Rest;
using Ecommerce.Pipeline.Core.Processing;
using Polly;
using Polly.Retry;

namespace Ecommerce.Pipeline.BigQuery;

/// <summary>
/// Sends encoded rows to one dataset with <c>tabledata.insertAll</c> and survives what the service does to a
/// request: a request refused as too large is split in halves (never re-sent unchanged), a 404 on a table this sink
/// created moments ago is waited out, a 404 on any other table stops the processor.
/// </summary>
/// <remarks>
/// <para>Table metadata reaches the streaming system late: "modifications to the underlying table metadata exhibit
/// are eventually consistent when interacting with the streaming system"
/// (https://cloud.google.com/bigquery/docs/error-messages#metadata-errors-for-streaming-inserts). A new table can
/// answer insertAll with 404 for minutes; Kafka Connect BigQuery retries such writes for up to 15 minutes
/// (confluentinc/kafka-connect-bigquery PR #97), and so does this sink (<see cref="BigQuerySinkOptions.NewTableWait"/>).
/// A table deleted, or deleted and created again, under the same name can accept rows with 200 and still lose them
/// for a while (same page), so a table that vanishes mid-run is never re-created here: that is a start-up action.</para>
/// </remarks>
internal sealed class StreamingInserter
{
    private readonly BigQueryClient _client;
    private readonly BigQuerySinkOptions _options;
    private readonly byte[] _prefix;
    private readonly ResiliencePipeline<Attempt> _tableWait;
    private readonly NewTables _newTables;
    private long _requests;
    private int _learnedMaxBytes = int.MaxValue;

    public StreamingInserter(BigQueryClient client, BigQuerySinkOptions options)
    {
        _client = client;
        _options = options;
        _prefix = InsertAllRequests.Prefix(options.SkipInvalidRows);
        _newTables = new NewTables(client.TimeProvider, options);
        _tableWait = new ResiliencePipelineBuilder<Attempt> { TimeProvider = client.TimeProvider }
            .AddRetry(new RetryStrategyOptions<Attempt>
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result?.Waiting is not null),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.TableWaitBaseDelay,
                MaxDelay = options.TableWaitMaxDelay,
                MaxRetryAttempts = int.MaxValue, // bounded by NewTableWait: past it the 404 is fatal, not retried
                OnRetry = args =>
                {
                    _client.Observer.Waiting(BigQueryWaitReasons.TableNotReady, args.Outcome.Result!.Waiting!, args.RetryDelay);
                    return default;
                },
            })
            .Build();
    }

    /// <summary>insertAll requests sent (re-sends and halves included).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>The largest request body sent from now on: the configured limit, lowered by what BigQuery refused.</summary>
    public int MaxRequestBytes => Math.Min(_options.MaxRequestBytes, Volatile.Read(ref _learnedMaxBytes));

    /// <summary>How the refusal of a row too large for any request begins.</summary>
    public const string RowTooLarge = "row too large";

    /// <summary>This sink created <paramref name="tableId"/> just now: a 404 on it is waited out for a while.</summary>
    public void Created(string tableId) => _newTables.Created(tableId);

    /// <summary>Sends the rows, re-sending only those that came back stopped; returns the refused ones by index.</summary>
    public async Task<Dictionary<int, string>> InsertAsync(string tableId, byte[][] encoded, CancellationToken cancellationToken)
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

            var chunks = InsertAllRequests.Split(encoded, pending, _prefix.Length, _options.MaxRowsPerRequest, MaxRequestBytes);
            var resend = new ConcurrentBag<int>();
            var refusedNow = new ConcurrentDictionary<int, string>();
            await Parallel.ForEachAsync(chunks,
                new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrentRequests, CancellationToken = cancellationToken },
                async (chunk, ct) => await SendAsync(tableId, encoded, chunk, resend, refusedNow, ct).ConfigureAwait(false))
                .ConfigureAwait(false);

            foreach (var (index, message) in refusedNow)
            {
                refused[index] = message;
            }

            pending = [.. resend.Order()];
        }

        return refused;
    }

    private async Task SendAsync(string tableId, byte[][] encoded, int[] chunk, ConcurrentBag<int> resend,
        ConcurrentDictionary<int, string> refused, CancellationToken cancellationToken)
    {
        var body = InsertAllRequests.Body(_prefix, encoded, chunk);
        TableDataInsertAllResponse response;
        try
        {
            var attempt = await _tableWait.ExecuteAsync(ct => InsertAllAsync(tableId, body, ct), cancellationToken)
                .ConfigureAwait(false);
            response = attempt.Response!;
        }
        catch (BigQueryException ex) when (ex.IsRequestTooLarge)
        {
            if (chunk.Length == 1)
            {
                // Nothing smaller to send: this row is what BigQuery will not take. It becomes a rejected_by_sink
                // dead letter (the dead letter holds at most 16 KiB of the message, so it fits).
                refused[chunk[0]] = string.Create(CultureInfo.InvariantCulture,
                    $"{RowTooLarge}: a request holding only this row ({body.Length} bytes) was refused: {ex.Message}");
                return;
            }

            // Later requests are cut to the size of these halves, so one refusal does not cost a split every batch.
            InterlockedMin(ref _learnedMaxBytes, body.Length / 2);
            var half = chunk.Length / 2;
            _client.Observer.Notice(string.Create(CultureInfo.InvariantCulture,
                $"BigQuery refused a {chunk.Length}-row insertAll of {body.Length} bytes on {tableId} as too large; sending it as two halves. ({ex.Message})"));
            await SendAsync(tableId, encoded, chunk[..half], resend, refused, cancellationToken).ConfigureAwait(false);
            await SendAsync(tableId, encoded, chunk[half..], resend, refused, cancellationToken).ConfigureAwait(false);
            return;
        }

        Classify(tableId, chunk, response, resend, refused);
    }

    /// <summary>One insertAll: the response, or (a 404 on a table created moments ago) what is waited for.</summary>
    private sealed record Attempt(TableDataInsertAllResponse? Response, string? Waiting);

    private async ValueTask<Attempt> InsertAllAsync(string tableId, byte[] body, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requests);
        try
        {
            return new Attempt(await _client.InsertAllAsync(_options.ProjectId, _options.DatasetId, tableId, body, cancellationToken)
                .ConfigureAwait(false), null);
        }
        catch (BigQueryException ex) when (ex.Status == HttpStatusCode.NotFound)
        {
            return new Attempt(null, NotReady(tableId, ex));
        }
    }

    /// <summary>What a 404 means: a table created moments ago that is waited for, or (thrown) a table that is gone.</summary>
    private string NotReady(string tableId, BigQueryException ex)
    {
        if (_newTables.Waiting(tableId, "insertAll", "404", ex) is { } waiting)
        {
            return waiting;
        }

        var name = _newTables.Name(tableId);
        throw new SinkUnavailableException(
            $"BigQuery table {name} is gone (insertAll answered 404) although it existed when the processor started. " +
            "A table deleted, or deleted and created again, can silently lose streamed rows for a while, so the processor " +
            "stops instead of re-creating it; nothing from this batch on was committed. Restore the table, then restart " +
            "(tables are created at start only).", ex);
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

    private static void InterlockedMin(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value < current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
