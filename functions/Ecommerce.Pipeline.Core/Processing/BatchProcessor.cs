using Ecommerce.Pipeline.Core.Geo;
using Ecommerce.Pipeline.Core.Model;

namespace Ecommerce.Pipeline.Core.Processing;

/// <summary>
/// Turns a batch of raw Kafka records into rows and dead letters: parse, validate, clean, enrich. Pure (no I/O);
/// every host calls this same code. Thread-safe.
/// </summary>
public sealed class BatchProcessor
{
    private readonly TimeProvider _time;
    private readonly GeoResolver _geo;

    public BatchProcessor(TimeProvider time, GeoResolver geo)
    {
        _time = time;
        _geo = geo;
    }

    public BatchProcessor()
        : this(TimeProvider.System, GeoResolver.Default)
    {
    }

    /// <summary>Transforms one batch. Each record yields exactly one row, one dead letter, or (an in-batch duplicate) nothing.</summary>
    public BatchResult Process(IReadOnlyList<RawRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        _ = _time;
        _ = _geo;
        throw new NotImplementedException("STUB: being implemented");
    }
}
