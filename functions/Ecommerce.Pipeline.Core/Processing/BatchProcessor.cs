using System.Text;
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
    private readonly IRecordParser _parser;

    public BatchProcessor(TimeProvider time, GeoResolver geo)
        : this(time, new TransactionParser(geo))
    {
    }

    internal BatchProcessor(TimeProvider time, IRecordParser parser)
    {
        _time = time;
        _parser = parser;
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
            if (TryParse(record, clock, i, out var row, out var failure))
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

    /// <summary>
    /// One record's parse. Whatever the transform throws for it makes that record an <c>internal_error</c> dead
    /// letter (the exception's type and message as detail), so one message can never fail or stall its batch.
    /// </summary>
    private bool TryParse(in RawRecord record, in BatchClock clock, int sourceIndex, out TransactionRow? row,
        out ParseFailure failure)
    {
        try
        {
            return _parser.TryParse(record, clock, sourceIndex, out row, out failure);
        }
#pragma warning disable CA1031 // Deliberately any exception: it belongs to this record, not to the batch.
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            row = null;
            // The detail goes into JSON and UTF-8 tables: a lone surrogate in the message would fail them, so it
            // becomes U+FFFD on the way through UTF-8.
            var detail = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes($"{ex.GetType().Name}: {ex.Message}"));
            failure = new(DeadLetterReason.InternalError, detail, null);
            return false;
        }
    }
}
