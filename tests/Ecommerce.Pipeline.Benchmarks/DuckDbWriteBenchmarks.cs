using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Schema;
using Ecommerce.Pipeline.DuckDb;
using Ecommerce.Pipeline.Workload;

namespace Ecommerce.Pipeline.Benchmarks;

/// <summary>
/// The DuckDB sink's stages apart, on one batch of <see cref="BatchSize"/> new rows (5,000 is the processor's batch
/// for a backlog in <c>pipeline bench</c>; the other sizes show which costs are fixed per batch) in event-time order, as a live stream delivers them; the table grows through the run. Every operation
/// makes its batch first, so the cost of a stage is its mean less the baseline's (making the batch only), in the
/// same run. The lookup of a replayed batch (rows stored before, no longer in the cache) makes no batch.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class DuckDbWriteBenchmarks : IDisposable
{
    /// <summary>Rows stored before the first measured batch.</summary>
    private const int StoredFirst = 100_000;

    private static readonly DateTime Start = new(2026, 12, 7, 0, 0, 0, DateTimeKind.Utc);

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(10));
            AddDiagnoser(MemoryDiagnoser.Default);
            AddColumn(PerRecordColumn.FromParameter(nameof(BatchSize)));
        }
    }

    private readonly string _seed = Guid.NewGuid().ToString("N")[..8];
    private DirectoryInfo _dir = null!;
    private DuckDbSink _sink = null!;
    private DuckDbWarehouse _warehouse = null!;
    private AppenderRowWriter<TransactionRow> _writer = null!;
    private KeyIndex<TransactionRow> _uncached = null!;
    private TransactionRow[] _replay = [];
    private long _next;

    [Params(1_000, 5_000, 20_000)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("pipeline-bench-duckdb-");
        var path = Path.Combine(_dir.FullName, "bench.duckdb");
        _sink = new DuckDbSink(path, Defaults.DuckDbMemoryLimit);
        // The sink's own open file: the same connection and key index the sink uses.
        _warehouse = DuckDbWarehouse.Acquire(path, DuckDbWarehouse.DefaultRecentKeys, Defaults.DuckDbMemoryLimit);
        _writer = new AppenderRowWriter<TransactionRow>(PipelineSchema.Transactions);
        // 100,000 rows stored first; the first batch, replayed through an index whose cache holds one key, is a lookup.
        for (var i = 0; i < StoredFirst / BatchSize; i++)
        {
            _sink.WriteRowsAsync(NextBatch(), CancellationToken.None).GetAwaiter().GetResult();
        }

        _replay = StoredRows.Batch(_seed, Start, 0, BatchSize);
        _uncached = new KeyIndex<TransactionRow>(PipelineSchema.Transactions, 1);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing && _sink is not null)
        {
            _warehouse.Release();
            _sink.DisposeAsync().AsTask().GetAwaiter().GetResult();
            _sink = null!;
            _dir.Delete(recursive: true);
        }
    }

    [Benchmark(Baseline = true, Description = "Make the batch only (baseline)")]
    public int MakeBatch() => NextBatch().Length;

    [Benchmark(Description = "Dedup: keys against the cache, no query (rows later than the latest stored)")]
    public int KeysAgainstCache()
    {
        var keys = _warehouse.TransactionKeys;
        var fresh = keys.Fresh(_warehouse.Connection, NextBatch(), out var freshKeys);
        keys.Remember(freshKeys);
        return fresh.Count;
    }

    [Benchmark(Description = "Append (Appender), transaction rolled back")]
    public int AppendOnly() => Append(commit: false);

    [Benchmark(Description = "Append and commit")]
    public int AppendAndCommit() => Append(commit: true);

    [Benchmark(Description = "The sink's whole write (dedup, append, commit)")]
    public int SinkWrite() => _sink.WriteRowsAsync(NextBatch(), CancellationToken.None).GetAwaiter().GetResult().Inserted;

    [Benchmark(Description = "Dedup lookup in the table: a stored batch replayed, not in the cache (no batch made)")]
    public int LookupReplayed() => _uncached.Fresh(_warehouse.Connection, _replay, out _).Count;

    private int Append(bool commit)
    {
        var batch = NextBatch();
        using var transaction = _warehouse.Connection.BeginTransaction();
        using (var appender = _warehouse.Connection.CreateAppender(PipelineSchema.Transactions.Name))
        {
            foreach (var row in batch)
            {
                _writer.Append(appender, row);
            }
        }

        if (commit)
        {
            transaction.Commit();
        }
        else
        {
            transaction.Rollback();
        }

        return batch.Length;
    }

    private TransactionRow[] NextBatch()
    {
        var batch = StoredRows.Batch(_seed, Start, _next, BatchSize);
        _next += BatchSize;
        return batch;
    }
}
