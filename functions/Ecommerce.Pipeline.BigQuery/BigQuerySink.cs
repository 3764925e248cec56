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
/// (the <c>transactions_dedup</c> view and compaction keep the first copy by Kafka partition, then offset).</para>
/// <para>The API does not say which rows it dropped as duplicates, so this sink reports <c>Duplicates = 0</c> and
/// counts every accepted row as inserted.</para>
/// <para>Rows BigQuery refuses for good (<c>invalid</c> and other non-transient row errors) are returned as
/// <see cref="RowWriteResult.Rejected"/>; rows that came back <c>stopped</c> (a neighbour was invalid) or with a
/// transient row error are re-sent, alone. Request-level transient failures are retried by the client; what outlives
/// the retries throws, so the caller retries the batch and never commits its offsets. How requests are split and
/// re-sent, and what a 404 means, is <see cref="StreamingInserter"/>'s.</para>
/// </remarks>
public sealed class BigQuerySink : ITransactionSink
{
    private readonly BigQueryClient _client;
    private readonly bool _ownsClient;
    private readonly BigQuerySinkOptions _options;
    private readonly RowEncoder<TransactionRow> _rowEncoder;
    private readonly RowEncoder<DeadLetter> _deadLetterEncoder;
    private readonly StreamingInserter _inserter;
    private readonly BigQueryTableSetup _tables;

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
        _rowEncoder = new RowEncoder<TransactionRow>(PipelineSchema.Transactions, r => InsertIds.Bounded(r.TransactionId));
        _deadLetterEncoder = new RowEncoder<DeadLetter>(PipelineSchema.DeadLetters, BigQueryTables.DeadLetterInsertId);
        _inserter = new StreamingInserter(client, options);
        _tables = new BigQueryTableSetup(client, options, _inserter.Created);
    }

    /// <summary>
    /// Builds the client (ADC, unless <see cref="BigQueryClientOptions.Credentials"/> says none), checks or creates both tables, and
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

    /// <summary>insertAll requests sent (re-sends and split halves included), for tests and metrics.</summary>
    public long Requests => _inserter.Requests;

    /// <summary>
    /// <c>tables.get</c> both tables; create a missing one when allowed. Runs once, at start (or on the first write of a
    /// DI-built sink); later calls return at once. A table that disappears later is never re-created (see
    /// <see cref="StreamingInserter"/>).
    /// </summary>
    public Task EnsureTablesAsync(CancellationToken cancellationToken) => _tables.EnsureTablesAsync(cancellationToken);

    public Task<RowWriteResult> WriteRowsAsync(IReadOnlyList<TransactionRow> rows, CancellationToken cancellationToken) =>
        SinkRefusals.AreFatal(() => WriteRowsCoreAsync(rows, cancellationToken));

    public Task WriteDeadLettersAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken) =>
        SinkRefusals.AreFatal(async () =>
        {
            await WriteDeadLettersCoreAsync(deadLetters, cancellationToken).ConfigureAwait(false);
            return true;
        });

    private async Task<RowWriteResult> WriteRowsCoreAsync(IReadOnlyList<TransactionRow> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return RowWriteResult.Empty;
        }

        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var encoded = Encode(rows, _rowEncoder);
        var refused = await _inserter.InsertAsync(_options.TableId, encoded, cancellationToken).ConfigureAwait(false);
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
        var refused = await _inserter.InsertAsync(_options.DeadLetterTableId, encoded, cancellationToken).ConfigureAwait(false);
        if (refused.Count > 0 && refused.Values.All(m => m.StartsWith(StreamingInserter.RowTooLarge, StringComparison.Ordinal)))
        {
            // Too large even alone (its 16 KiB payload escaped on the wire): the table's copy keeps the first KiB of
            // the payload, so the record of the message is kept and the batch cannot stall on it. The dead-letter topic
            // already holds the whole payload (it is published before the table is written).
            var cut = refused.Keys.Order().Select(i => CutPayload(deadLetters[i])).ToList();
            refused = await _inserter.InsertAsync(_options.DeadLetterTableId, Encode(cut, _deadLetterEncoder), cancellationToken)
                .ConfigureAwait(false);
        }

        if (refused.Count > 0)
        {
            // A dead letter is already the last resort; dropping one silently would lose the record of a message.
            var (index, message) = refused.OrderBy(r => r.Key).First();
            throw new BigQueryException(string.Create(CultureInfo.InvariantCulture,
                $"BigQuery refused {refused.Count} dead letter(s) for {_options.DeadLetterTableId}, e.g. #{index}: {message}"));
        }
    }

    /// <summary>Payloads kept in the table when the whole one made the row too large for any request.</summary>
    internal const int CutPayloadChars = 1024;

    private static DeadLetter CutPayload(DeadLetter d) => new()
    {
        Reason = d.Reason,
        Detail = $"{d.Detail} (payload cut to its first {CutPayloadChars} characters: the row was too large for BigQuery; the dead-letter topic has it whole)",
        TransactionId = d.TransactionId,
        Payload = d.Payload.Length <= CutPayloadChars ? d.Payload : d.Payload[..CutPayloadChars],
        PayloadEncoding = d.PayloadEncoding,
        KafkaTopic = d.KafkaTopic,
        KafkaPartition = d.KafkaPartition,
        KafkaOffset = d.KafkaOffset,
        FailedAt = d.FailedAt,
    };

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

    public ValueTask DisposeAsync()
    {
        _tables.Dispose();
        if (_ownsClient)
        {
            _client.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
