using Ecommerce.Pipeline.Core.Geo;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Parsing;

namespace Ecommerce.Pipeline.Core.Processing;

/// <summary>
/// Turns a batch of raw Kafka records into rows and dead letters: parse, validate, clean, enrich. Pure (no I/O);
/// every host calls this same code. Thread-safe.
/// </summary>
public sealed class BatchProcessor
{
    private readonly TimeProvider _time;
    private readonly TransactionParser _parser;

    public BatchProcessor(TimeProvider time, GeoResolver geo)
    {
        _time = time;
        _parser = new TransactionParser(geo);
    }

    public BatchProcessor()
        : this(TimeProvider.System, GeoResolver.Default)
    {
    }

    /// <summary>Transforms one batch. Each record yields exactly one row, one dead letter, or (an in-batch duplicate) nothing.</summary>
    public BatchResult Process(IReadOnlyList<RawRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var clock = BatchClock.At(_time.GetUtcNow());
        var rows = new List<TransactionRow>(records.Count);
        var deadLetters = new List<DeadLetter>();
        var seen = new HashSet<string>(records.Count, StringComparer.Ordinal);
        var duplicates = 0;
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            if (_parser.TryParse(record, clock, i, out var row, out var failure))
            {
                // First one in the batch wins; the sink applies the same rule across batches.
                if (seen.Add(row!.TransactionId))
                {
                    rows.Add(row);
                }
                else
                {
                    duplicates++;
                }
            }
            else
            {
                deadLetters.Add(DeadLetterFactory.Create(record, failure.Reason, failure.Detail, failure.TransactionId,
                    clock.IngestedAt));
            }
        }

        return new BatchResult(rows, deadLetters, duplicates);
    }
}
