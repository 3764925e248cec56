using Ecommerce.Pipeline.Cli.Hosting;
using Ecommerce.Pipeline.DuckDb;

namespace Ecommerce.Pipeline.Cli.Commands;

/// <summary>
/// A fresh DuckDB file beside the scale bench's large one, holding at most one window of batches: the empty-table
/// case, timed in the same seconds as the large table's batches it is compared with. Deleted when disposed.
/// </summary>
internal sealed class ReferenceTable : IAsyncDisposable
{
    private readonly string _path;
    private readonly string _seed;
    private readonly DateTime _start;
    private readonly DuckDbSink _sink;
    private long _stored;

    public ReferenceTable(string path, string memoryLimit, string seed, DateTime start)
    {
        _path = path;
        DeleteFiles();
        // Other ids than the large table's, with event times from the same start, as a new table would get them.
        _seed = "ref-" + seed;
        _start = start;
        _sink = new DuckDbSink(path, memoryLimit);
    }

    /// <summary>Writes the next batch of new rows; its time in ms.</summary>
    public async Task<double> WriteAsync(CancellationToken cancellationToken)
    {
        var (ms, written) = await ScaleBench.TimedAsync(_sink, ScaleBench.Batch(_seed, _start, _stored), cancellationToken);
        if (written.Inserted != ScaleBench.BatchRows)
        {
            throw new RuntimeFailureException($"bench --scale: a batch into the reference table stored {written.Inserted} of {ScaleBench.BatchRows} rows.");
        }

        _stored += ScaleBench.BatchRows;
        return ms;
    }

    public async ValueTask DisposeAsync()
    {
        await _sink.DisposeAsync();
        DeleteFiles();
    }

    private void DeleteFiles()
    {
        File.Delete(_path);
        File.Delete(_path + ".wal");
    }
}
