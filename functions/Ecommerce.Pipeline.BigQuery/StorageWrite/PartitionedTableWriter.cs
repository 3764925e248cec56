using System.Collections.Concurrent;
using Google.Protobuf;

namespace Ecommerce.Pipeline.BigQuery.StorageWrite;

/// <summary>
/// Exactly-once writes to one table: per Kafka partition one COMMITTED write stream and one watermark W (the highest
/// offset the table holds for the partition). A record at or below W is skipped as already stored; the rest of a
/// partition's records go in offset order, in one append (more if over the size limit) at the stream's next offset,
/// and W moves to their highest offset once the service acknowledged them.
/// </summary>
/// <remarks>
/// <para>Appends of one partition are strictly one after another (its lock is held from the watermark read to the
/// acknowledgement); different partitions are written side by side. Because each partition's rows reach the table as a
/// prefix in offset order, "skip at or below W" is exact after a crash: W read back from the table marks exactly what
/// was stored. This needs batches of one partition to reach the sink in offset order, one at a time (the host stores
/// one batch at a time and retries it before the next).</para>
/// <para>After a failure the partition's stream and watermark are dropped: what the failed append stored is unknown
/// here but visible in the table (rows of a COMMITTED stream are visible once acknowledged), so W is read again and a
/// new stream is created on the next write.</para>
/// <para>W is read only as far as the batch needs it (<see cref="WatermarkQuery"/>). An answer narrowed to the batch's
/// event days that leaves nothing of the batch to append may be short of what the table holds beyond the batch, so it
/// is dropped after the batch and read again on the next; an append makes W exact again (nothing is stored above a
/// record that was not).</para>
/// </remarks>
internal sealed class PartitionedTableWriter<TRow> : IStorageTableWriter<TRow>
{
    private readonly StorageWriteContext _context;
    private readonly string _tableId;
    private readonly ProtoRowEncoder<TRow> _encoder;
    private readonly Func<TRow, int> _partition;
    private readonly Func<TRow, long> _offset;
    private readonly WatermarkQuery _watermarks;
    private readonly Func<TRow, DateTime>? _eventTime;
    private readonly ConcurrentDictionary<int, PartitionState> _partitions = new();
    private long _watermarkQueries;

    public PartitionedTableWriter(StorageWriteContext context, string tableId, ProtoRowEncoder<TRow> encoder,
        Func<TRow, int> partition, Func<TRow, long> offset, WatermarkQuery watermarks, Func<TRow, DateTime>? eventTime = null)
    {
        if (watermarks.NarrowsByTime && eventTime is null)
        {
            throw new ArgumentException("A watermark query narrowed to event days needs the rows' event time.", nameof(eventTime));
        }

        _context = context;
        _tableId = tableId;
        _encoder = encoder;
        _partition = partition;
        _offset = offset;
        _watermarks = watermarks;
        _eventTime = eventTime;
    }

    /// <summary>jobs.query calls made for watermarks.</summary>
    public long WatermarkQueries => Interlocked.Read(ref _watermarkQueries);

    /// <summary>The watermark this writer holds for a partition, if it holds one (for tests).</summary>
    public long? Watermark(int partition) => _partitions.TryGetValue(partition, out var state) ? state.Watermark : null;

    /// <summary>The write stream of a partition, once created (for tests).</summary>
    public string? StreamName(int partition) => _partitions.TryGetValue(partition, out var state) ? state.Connection?.StreamName : null;

    public async Task<TableWriteResult<TRow>> WriteAsync(IReadOnlyList<TRow> items, bool holdAfterRefusal, CancellationToken cancellationToken)
    {
        var byPartition = items.GroupBy(_partition).OrderBy(g => g.Key)
            .Select(g => (Partition: g.Key, Items: g.OrderBy(_offset).ToList())).ToList();
        var states = byPartition.Select(g => _partitions.GetOrAdd(g.Partition, _ => new PartitionState())).ToList();
        // In ascending partition order, so two writers never wait on each other's locks.
        var locked = 0;
        try
        {
            foreach (var state in states)
            {
                await state.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
                locked++;
            }

            await ReadWatermarksAsync(byPartition, states, cancellationToken).ConfigureAwait(false);
            var results = new TableWriteResult<TRow>[byPartition.Count];
            await Parallel.ForEachAsync(Enumerable.Range(0, byPartition.Count),
                new ParallelOptions { MaxDegreeOfParallelism = _context.Options.MaxConcurrentAppends, CancellationToken = cancellationToken },
                async (i, ct) => results[i] = await WritePartitionAsync(states[i], byPartition[i].Items, holdAfterRefusal, ct).ConfigureAwait(false))
                .ConfigureAwait(false);
            return new TableWriteResult<TRow>(results.Sum(r => r.Stored), results.Sum(r => r.Skipped), [.. results.SelectMany(r => r.Refused)],
                [.. results.SelectMany(r => r.Held)]);
        }
        finally
        {
            for (var i = 0; i < locked; i++)
            {
                states[i].Lock.Release();
            }
        }
    }

    private async Task ReadWatermarksAsync(List<(int Partition, List<TRow> Items)> byPartition, List<PartitionState> states,
        CancellationToken cancellationToken)
    {
        var unknown = byPartition.Where((_, i) => states[i].Watermark is null).ToList();
        if (unknown.Count == 0)
        {
            return;
        }

        var firstOffsets = unknown.ToDictionary(g => g.Partition, g => _offset(g.Items[0]));
        var days = _eventTime is null
            ? default
            : (DateOnly.FromDateTime(unknown.SelectMany(g => g.Items).Min(_eventTime)),
                DateOnly.FromDateTime(unknown.SelectMany(g => g.Items).Max(_eventTime)));
        Interlocked.Increment(ref _watermarkQueries);
        var read = await _watermarks.ReadAsync(firstOffsets, days, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < byPartition.Count; i++)
        {
            if (read.TryGetValue(byPartition[i].Partition, out var watermark))
            {
                states[i].Watermark = watermark;
                states[i].Narrowed = _watermarks.NarrowsByTime;
            }
        }
    }

    private async Task<TableWriteResult<TRow>> WritePartitionAsync(PartitionState state, List<TRow> items, bool holdAfterRefusal,
        CancellationToken cancellationToken)
    {
        var watermark = state.Watermark!.Value;
        var pending = items.Where(r => _offset(r) > watermark).ToList();
        // A row refused earlier lies at or below the watermark once later rows were stored; it is not stored, so a
        // retry of its batch reports it refused again (its dead letter may not have been written yet).
        var refused = items.Where(r => _offset(r) <= watermark && state.Refused.ContainsKey(_offset(r)))
            .Select(r => (r, state.Refused[_offset(r)])).ToList();
        var skipped = items.Count - pending.Count - refused.Count;
        var stored = 0;
        try
        {
            while (pending.Count > 0)
            {
                if (holdAfterRefusal && refused.Count > 0)
                {
                    // Storing rows above a refused one would move W past it before its dead letter is stored; a crash
                    // in between would then skip the redelivered row as stored, and its dead letter would be lost.
                    return new TableWriteResult<TRow>(stored, skipped, refused, pending);
                }

                if (state.Connection is null)
                {
                    var stream = await _context.CreateStreamAsync(_tableId, cancellationToken).ConfigureAwait(false);
                    state.Connection = _context.Client.Open(stream, _encoder.WriterSchema, _context.NotFound(_tableId));
                    state.NextOffset = 0;
                }

                var encoded = pending.Select(_encoder.Encode).ToList();
                var result = await state.Connection.AppendAsync(encoded, state.NextOffset, cancellationToken).ConfigureAwait(false);
                state.NextOffset += result.Stored;
                stored += result.Stored;
                if (result.Stored > 0)
                {
                    state.Watermark = _offset(pending[result.Stored - 1]);
                    state.Narrowed = false;
                }

                // Refused rows become dead letters; the others after the stored prefix are sent again.
                var before = refused.Count;
                pending = RowResends.Remaining(pending, result, refused);
                state.Remember(refused.Skip(before).Select(r => (_offset(r.Item1), r.Item2)));
            }
        }
        catch
        {
            await ForgetAsync(state).ConfigureAwait(false);
            throw;
        }
        finally
        {
            ForgetIfNarrowed(state);
        }

        return new TableWriteResult<TRow>(stored, skipped, refused, []);
    }

    /// <summary>A watermark narrowed to the batch's event days that no append made exact is good for this batch only.</summary>
    private static void ForgetIfNarrowed(PartitionState state)
    {
        if (state.Narrowed)
        {
            state.Watermark = null;
            state.Narrowed = false;
        }
    }

    public Task AssignAsync(IReadOnlyCollection<int> partitions, CancellationToken cancellationToken) =>
        ForEachPartitionAsync(partitions, finalize: false, forgetRefusals: true, cancellationToken);

    public Task ReleaseAsync(IReadOnlyCollection<int> partitions, CancellationToken cancellationToken) =>
        ForEachPartitionAsync(partitions, finalize: true, forgetRefusals: true, cancellationToken);

    /// <summary>Streams stay open (a stream per batch would run into the CreateWriteStream quota); refusals are still this process's.</summary>
    public Task ForgetWatermarksAsync(IReadOnlyCollection<int> partitions, CancellationToken cancellationToken) =>
        ForEachPartitionAsync(partitions, finalize: false, forgetRefusals: false, cancellationToken);

    private async Task ForEachPartitionAsync(IReadOnlyCollection<int> partitions, bool finalize, bool forgetRefusals,
        CancellationToken cancellationToken)
    {
        foreach (var partition in partitions)
        {
            if (!_partitions.TryGetValue(partition, out var state))
            {
                continue;
            }

            await state.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (finalize)
                {
                    await FinalizeAsync(state, cancellationToken).ConfigureAwait(false);
                }

                // Newly assigned, released or not trusted: what another process wrote meanwhile is only in the table.
                state.Watermark = null;
                state.Narrowed = false;
                if (forgetRefusals)
                {
                    state.Refused.Clear();
                }
            }
            finally
            {
                state.Lock.Release();
            }
        }
    }

    /// <summary>No more appends on the partition's stream: a zombie holding the same stream name could not add to it.</summary>
    private async Task FinalizeAsync(PartitionState state, CancellationToken cancellationToken)
    {
        if (state.Connection is { } connection)
        {
            state.Connection = null;
            await connection.DisposeAsync().ConfigureAwait(false);
            try
            {
                await _context.Client.FinalizeAsync(connection.StreamName, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is StorageWriteException or OperationCanceledException)
            {
                // Everything appended was acknowledged already; an unfinalized COMMITTED stream only stays open until
                // the service closes it.
                _context.Client.Observer.Notice($"Finalizing {connection.StreamName} failed ({ex.Message}); its rows are stored.");
            }
        }
    }

    private static async Task ForgetAsync(PartitionState state)
    {
        state.Watermark = null;
        if (state.Connection is { } connection)
        {
            state.Connection = null;
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // A shutdown does not wait on an unreachable service for long: the rows are stored either way.
        using var timeout = new CancellationTokenSource(FinalizeOnDisposeTimeout);
        foreach (var state in _partitions.Values)
        {
            await FinalizeAsync(state, timeout.Token).ConfigureAwait(false);
            state.Lock.Dispose();
        }

        _partitions.Clear();
    }

    private sealed class PartitionState
    {
        public SemaphoreSlim Lock { get; } = new(1, 1);
        public long? Watermark { get; set; }

        /// <summary><see cref="Watermark"/> comes from a read narrowed to the batch's event days and no append since.</summary>
        public bool Narrowed { get; set; }
        public AppendConnection? Connection { get; set; }
        public long NextOffset { get; set; }

        /// <summary>Offsets of rows the service refused, with its message (the most recent, bounded).</summary>
        public SortedDictionary<long, string> Refused { get; } = [];

        public void Remember(IEnumerable<(long Offset, string Message)> refused)
        {
            foreach (var (offset, message) in refused)
            {
                Refused[offset] = message;
            }

            while (Refused.Count > MaxRefusedRemembered)
            {
                Refused.Remove(Refused.Keys.First());
            }
        }
    }

    private const int MaxRefusedRemembered = 10_000;

    private static readonly TimeSpan FinalizeOnDisposeTimeout = TimeSpan.FromSeconds(10);
}
