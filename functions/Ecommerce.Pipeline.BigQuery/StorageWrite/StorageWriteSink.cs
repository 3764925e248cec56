using System.Collections.Concurrent;
using Ecommerce.Pipeline.BigQuery.Rest;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;

namespace Ecommerce.Pipeline.BigQuery.StorageWrite;

/// <summary>
/// The BigQuery warehouse over the Storage Write API. Tables are checked and created through the REST API, as by
/// <see cref="BigQuerySink"/>; rows and dead letters go through AppendRows.
/// </summary>
/// <remarks>
/// <para><see cref="DeliveryGuarantee.ExactlyOnce"/>: per (table, Kafka partition) a COMMITTED stream with offsets and
/// a watermark read from the table (<see cref="PartitionedTableWriter{TRow}"/>); records at or below it are counted as
/// <see cref="RowWriteResult.Duplicates"/>. The watermark is trusted from <see cref="PartitionsAssignedAsync"/> until
/// <see cref="PartitionsReleasedAsync"/>. A host that never calls them (the Functions host) gets it trusted only while
/// its batches continue this sink's own (<see cref="WatermarkPolicy.WhileContiguous"/>, <see cref="WatermarkTrust"/>)
/// and re-read for any other batch; with <see cref="StorageWriteOptions.WatermarkTrust"/> zero, for every batch
/// (<see cref="WatermarkPolicy.EveryBatch"/>), one query per table and batch.</para>
/// <para><see cref="DeliveryGuarantee.AtLeastOnce"/>: each table's <c>_default</c> stream.</para>
/// <para>Rows the service refuses (row errors) are returned as rejections; with exactly-once the rest of their partition
/// waits for their dead letters (<see cref="WriteBatchAsync"/>), otherwise it is re-sent at once. A refused dead letter
/// fails the write (it is the last record of a message).</para>
/// </remarks>
public sealed class StorageWriteSink : ITransactionSink, IPartitionAwareSink
{
    private readonly BigQueryClient _rest;
    private readonly StorageWriteClient _write;
    private readonly bool _ownsClients;
    private readonly BigQueryTableSetup _tables;
    private readonly StorageWriteContext _context;
    private readonly IStorageTableWriter<TransactionRow> _rows;
    private readonly IStorageTableWriter<DeadLetter> _deadLetters;
    private readonly DeferredDeadLetters _deferred = new();
    private readonly WatermarkTrust _trust;
    private volatile bool _partitionAware;

    public StorageWriteSink(BigQueryClient rest, StorageWriteClient write, BigQuerySinkOptions sinkOptions, bool ownsClients = false)
    {
        ArgumentNullException.ThrowIfNull(rest);
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(sinkOptions);
        _rest = rest;
        _write = write;
        _ownsClients = ownsClients;
        SinkOptions = sinkOptions;
        _context = new StorageWriteContext(write, sinkOptions);
        _tables = new BigQueryTableSetup(rest, sinkOptions, _context.Created);
        _trust = new WatermarkTrust(write.Options.WatermarkTrust, write.Options.WatermarkClock);
        if (write.Options.Delivery == DeliveryGuarantee.ExactlyOnce)
        {
            _rows = new PartitionedTableWriter<TransactionRow>(_context, sinkOptions.TableId, ProtoRowEncoders.Transactions,
                r => r.KafkaPartition, r => r.KafkaOffset, WatermarkQuery.Transactions(rest, sinkOptions), r => r.EventTimestamp);
            _deadLetters = new PartitionedTableWriter<DeadLetter>(_context, sinkOptions.DeadLetterTableId, ProtoRowEncoders.DeadLetters,
                d => d.KafkaPartition, d => d.KafkaOffset, WatermarkQuery.DeadLetters(rest, sinkOptions, write.Options.Topic));
        }
        else
        {
            _rows = new DefaultStreamWriter<TransactionRow>(_context, sinkOptions.TableId, ProtoRowEncoders.Transactions);
            _deadLetters = new DefaultStreamWriter<DeadLetter>(_context, sinkOptions.DeadLetterTableId, ProtoRowEncoders.DeadLetters);
        }
    }

    /// <summary>
    /// Builds both clients (ADC, one token source for both, or no credentials with endpoint overrides), checks or
    /// creates both tables, and returns a ready sink: a sink that cannot make progress (auth refused, dataset missing)
    /// fails here, loudly.
    /// </summary>
    public static async Task<StorageWriteSink> CreateAsync(BigQuerySinkOptions sinkOptions, StorageWriteOptions writeOptions,
        BigQueryClientOptions restOptions, CancellationToken cancellationToken) =>
        await CreateAsync(sinkOptions, writeOptions, restOptions,
            await ApplicationDefaultTokensAsync(restOptions, cancellationToken).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// As <see cref="CreateAsync(BigQuerySinkOptions, StorageWriteOptions, BigQueryClientOptions, CancellationToken)"/>,
    /// both clients with the tokens of <paramref name="tokens"/> (each only if its options send credentials).
    /// </summary>
    public static async Task<StorageWriteSink> CreateAsync(BigQuerySinkOptions sinkOptions, StorageWriteOptions writeOptions,
        BigQueryClientOptions restOptions, SharedAccessTokens tokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(restOptions);
        ArgumentNullException.ThrowIfNull(tokens);
        var rest = BigQueryClient.Create(restOptions, tokens);
        StorageWriteClient? write = null;
        try
        {
            write = await StorageWriteClient.CreateAsync(writeOptions, restOptions.Observer, restOptions.TimeProvider, tokens, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            rest.Dispose();
            throw;
        }

        var sink = new StorageWriteSink(rest, write, sinkOptions, ownsClients: true);
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

    /// <summary>
    /// One Application Default Credentials token source for both clients (each uses it only if its options send
    /// credentials): one token serves the REST and the gRPC calls, a refused token is refreshed once for both, and a
    /// revoked key fails both alike. Looked up now when the REST client sends credentials (its start-up checks need a
    /// token anyway, and a host without credentials fails here, naming them); otherwise on the first call that needs
    /// it, and again after a failed lookup.
    /// </summary>
    private static async Task<SharedAccessTokens> ApplicationDefaultTokensAsync(BigQueryClientOptions restOptions,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(restOptions);
        return new SharedAccessTokens(restOptions.SendsCredentials
            ? await GoogleAccessTokenSource.FromApplicationDefaultAsync(cancellationToken).ConfigureAwait(false)
            : new LazyApplicationDefaultTokenSource());
    }

    public string Name => "bigquery";

    public BigQuerySinkOptions SinkOptions { get; }

    public StorageWriteOptions Options => _write.Options;

    /// <summary>How far a watermark is trusted now: until released once the host reported an assignment, else while
    /// batches continue this sink's own (every batch with a zero trust window).</summary>
    public WatermarkPolicy Watermarks =>
        _partitionAware ? WatermarkPolicy.UntilReleased
        : _trust.Window > TimeSpan.Zero ? WatermarkPolicy.WhileContiguous
        : WatermarkPolicy.EveryBatch;

    /// <summary>COMMITTED streams created so far (CreateWriteStream is limited per project and hour).</summary>
    public long StreamsCreated => _context.StreamsCreated;

    /// <summary>Watermark queries run so far (both tables).</summary>
    public long WatermarkQueries =>
        (_rows as PartitionedTableWriter<TransactionRow>)?.WatermarkQueries + (_deadLetters as PartitionedTableWriter<DeadLetter>)?.WatermarkQueries ?? 0;

    /// <summary>tables.get both tables, creating a missing one when allowed; once.</summary>
    public Task EnsureTablesAsync(CancellationToken cancellationToken) => _tables.EnsureTablesAsync(cancellationToken);

    /// <summary>Stores the rows; refused rows are returned and the rest stored. <see cref="WriteBatchAsync"/> is what a
    /// host that turns refusals into dead letters calls (it keeps a refused row's dead letter from being lost).</summary>
    public Task<RowWriteResult> WriteRowsAsync(IReadOnlyList<TransactionRow> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return SinkRefusals.AreFatal(() => GuardedAsync(Positions(rows, []), check: true,
            async () => Report(await StoreRowsAsync(rows, holdAfterRefusal: false, cancellationToken).ConfigureAwait(false)),
            _ => true, cancellationToken));
    }

    /// <summary>Stores dead letters; the refused rows' dead letters of a <see cref="WriteBatchAsync"/> release what it held back.</summary>
    public Task WriteDeadLettersAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deadLetters);
        return SinkRefusals.AreFatal(() =>
        {
            var (letters, heldRows, batch) = _deferred.Claim(deadLetters);
            // Releasing what a batch held continues that batch, checked when it began: acknowledged as a whole.
            return GuardedAsync(batch is null ? Positions([], deadLetters) : [.. batch, .. Positions([], deadLetters)], check: batch is null,
                async () =>
                {
                    await WriteDeadLettersCoreAsync(letters, cancellationToken).ConfigureAwait(false);
                    await WriteHeldRowsAsync(heldRows, cancellationToken).ConfigureAwait(false);
                    return true;
                },
                _ => true, cancellationToken);
        });
    }

    /// <summary>
    /// Rows, then the batch's dead letters. With exactly-once, when rows of a partition are refused, nothing more of
    /// that partition is appended in this call: its other rows and the batch's dead letters wait for the refused rows'
    /// own dead letters (the caller's next <see cref="WriteDeadLettersAsync"/>), which then go first, all dead letters
    /// in offset order, and the held rows after them. So a partition's rows watermark never passes a refused row before
    /// its dead letter is stored: after a crash at any point the redelivered row is either sent (and refused) again, or
    /// its dead letter is already at or below the dead letters' watermark.
    /// </summary>
    /// <returns>Held rows are counted as inserted: the handler counts a batch only once the
    /// <see cref="WriteDeadLettersAsync"/> that stores them has returned (a failure there makes it retry the batch).</returns>
    public async Task<RowWriteResult> WriteBatchAsync(IReadOnlyList<TransactionRow> rows, IReadOnlyList<DeadLetter> deadLetters,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(deadLetters);
        var exactlyOnce = Options.Delivery == DeliveryGuarantee.ExactlyOnce;
        var batch = Positions(rows, deadLetters);
        return await SinkRefusals.AreFatal(() => GuardedAsync(batch, check: true, async () =>
            {
                var result = await StoreRowsAsync(rows, holdAfterRefusal: exactlyOnce, cancellationToken).ConfigureAwait(false);
                var written = Report(result);
                if (written.Rejected.Count > 0 && exactlyOnce)
                {
                    _deferred.Defer(written.Rejected, deadLetters, result.Held, batch);
                }
                else if (deadLetters.Count > 0)
                {
                    var (letters, heldRows, _) = _deferred.Claim(deadLetters);
                    await WriteDeadLettersCoreAsync(letters, cancellationToken).ConfigureAwait(false);
                    await WriteHeldRowsAsync(heldRows, cancellationToken).ConfigureAwait(false);
                }

                return written;
            },
            // A batch holding rows back is acknowledged once the refused rows' dead letters released them.
            written => !(written.Rejected.Count > 0 && exactlyOnce), cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// A write of <paramref name="records"/> under the trust rules of a host that reports no assignments: the
    /// watermarks of partitions whose records do not continue this sink's last acknowledged ones are forgotten first
    /// (read again on the write), an acknowledgement is recorded after, and a failure distrusts the partitions (what it
    /// stored is only in the table). With assignments reported, or without watermarks (at-least-once), just the write.
    /// </summary>
    private async Task<T> GuardedAsync<T>(List<(int Partition, long Offset)> records, bool check, Func<Task<T>> write,
        Func<T, bool> acknowledged, CancellationToken cancellationToken)
    {
        if (_partitionAware || Options.Delivery != DeliveryGuarantee.ExactlyOnce || records.Count == 0)
        {
            return await write().ConfigureAwait(false);
        }

        if (check && _trust.Untrusted(records) is { Count: > 0 } untrusted)
        {
            await _rows.ForgetWatermarksAsync([.. untrusted], cancellationToken).ConfigureAwait(false);
            await _deadLetters.ForgetWatermarksAsync([.. untrusted], cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var result = await write().ConfigureAwait(false);
            if (acknowledged(result))
            {
                _trust.Acknowledged(records);
            }

            return result;
        }
        catch
        {
            _trust.Distrust(records.Select(r => r.Partition).Distinct());
            throw;
        }
    }

    private static List<(int Partition, long Offset)> Positions(IEnumerable<TransactionRow> rows, IEnumerable<DeadLetter> deadLetters) =>
        [.. rows.Select(r => (r.KafkaPartition, r.KafkaOffset)), .. deadLetters.Select(d => (d.KafkaPartition, d.KafkaOffset))];

    private static RowWriteResult Report(TableWriteResult<TransactionRow> result) =>
        new(result.Stored + result.Held.Count, result.Skipped, [.. result.Refused.Select(r => new RowRejection(r.Row, r.Message))]);

    private async Task<TableWriteResult<TransactionRow>> StoreRowsAsync(IReadOnlyList<TransactionRow> rows, bool holdAfterRefusal,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return new TableWriteResult<TransactionRow>(0, 0, [], []);
        }

        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        return await _rows.WriteAsync(rows, holdAfterRefusal, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The rows a <see cref="WriteBatchAsync"/> held back, once the refused rows' dead letters are stored.</summary>
    private async Task WriteHeldRowsAsync(IReadOnlyList<TransactionRow> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        // The same batch, under the same ownership: the watermarks are not forced to be read again (one narrowed to
        // the batch and left without an append was dropped, and is read again).
        var result = await _rows.WriteAsync(rows, holdAfterRefusal: true, cancellationToken).ConfigureAwait(false);
        if (result.Refused is [var first, ..])
        {
            // Rows the first answer did not name: nothing above them was stored, so the batch's retry sends them again
            // and gets them back as refusals, whose dead letters then go first.
            throw new StorageWriteException(
                $"BigQuery refused {result.Refused.Count} more row(s) of {SinkOptions.TableId}, e.g. offset {first.Row.KafkaOffset}: {first.Message}; the batch is retried.");
        }
    }

    private async Task WriteDeadLettersCoreAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken)
    {
        if (deadLetters.Count == 0)
        {
            return;
        }

        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var result = await _deadLetters.WriteAsync(deadLetters, holdAfterRefusal: false, cancellationToken).ConfigureAwait(false);
        if (result.Refused is [var first, ..])
        {
            // A dead letter is already the last resort; dropping one silently would lose the record of a message.
            throw new StorageWriteException(
                $"BigQuery refused {result.Refused.Count} dead letter(s) for {SinkOptions.DeadLetterTableId}, e.g. offset {first.Row.KafkaOffset}: {first.Message}");
        }
    }

    public async Task PartitionsAssignedAsync(IReadOnlyCollection<int> partitions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        _partitionAware = true;
        await _rows.AssignAsync(partitions, cancellationToken).ConfigureAwait(false);
        await _deadLetters.AssignAsync(partitions, cancellationToken).ConfigureAwait(false);
    }

    public async Task PartitionsReleasedAsync(IReadOnlyCollection<int> partitions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        await _rows.ReleaseAsync(partitions, cancellationToken).ConfigureAwait(false);
        await _deadLetters.ReleaseAsync(partitions, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _rows.DisposeAsync().ConfigureAwait(false);
        await _deadLetters.DisposeAsync().ConfigureAwait(false);
        _tables.Dispose();
        if (_ownsClients)
        {
            _write.Dispose();
            _rest.Dispose();
        }
    }

    /// <summary>
    /// A batch's dead letters and rows held back until the dead letters of its refused rows arrive (see
    /// <see cref="WriteBatchAsync"/>). Keyed by the refused rows, which the handler's dead letters stand for.
    /// </summary>
    private sealed class DeferredDeadLetters
    {
        private readonly ConcurrentDictionary<string, Held> _held = new(StringComparer.Ordinal);

        public void Defer(IReadOnlyList<RowRejection> rejected, IReadOnlyList<DeadLetter> deadLetters, IReadOnlyList<TransactionRow> rows,
            IReadOnlyList<(int Partition, long Offset)> batch) =>
            // A retry of the same batch replaces what its failed attempt held.
            _held[Key(rejected.Select(r => (r.Row.KafkaPartition, r.Row.KafkaOffset)))] = new Held(deadLetters, rows, batch);

        /// <summary>
        /// The dead letters to write (these, with any held back for the rows they stand for, in offset order), the
        /// rows to write after them, and the positions of the batch they complete (null when they complete none).
        /// </summary>
        public (IReadOnlyList<DeadLetter> DeadLetters, IReadOnlyList<TransactionRow> Rows, IReadOnlyList<(int Partition, long Offset)>? Batch)
            Claim(IReadOnlyList<DeadLetter> deadLetters)
        {
            ArgumentNullException.ThrowIfNull(deadLetters);
            return _held.TryRemove(Key(deadLetters.Select(d => (d.KafkaPartition, d.KafkaOffset))), out var held)
                ? ([.. held.DeadLetters.Concat(deadLetters).OrderBy(d => d.KafkaPartition).ThenBy(d => d.KafkaOffset)], held.Rows, held.Batch)
                : (deadLetters, [], null);
        }

        private sealed record Held(IReadOnlyList<DeadLetter> DeadLetters, IReadOnlyList<TransactionRow> Rows,
            IReadOnlyList<(int Partition, long Offset)> Batch);

        private static string Key(IEnumerable<(int Partition, long Offset)> records) =>
            string.Join(',', records.Order().Select(r => $"{r.Partition}:{r.Offset}"));
    }
}
