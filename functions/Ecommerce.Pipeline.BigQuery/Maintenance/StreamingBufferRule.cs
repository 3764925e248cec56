using System.Globalization;
using Ecommerce.Pipeline.BigQuery.Rest;
using Ecommerce.Pipeline.BigQuery.StorageWrite;

namespace Ecommerce.Pipeline.BigQuery.Maintenance;

/// <summary>
/// Whether a table's streaming buffer may still hold rows of one day partition. DML (the compaction MERGE) cannot
/// change rows streamed by insertAll in the last ~30 minutes (up to 90), and <c>tables.get</c> only says when the
/// oldest row still in the buffer was streamed (<c>streamingBuffer.oldestEntryTime</c>), not which partitions the
/// buffered rows belong to.
/// </summary>
/// <remarks>
/// The rule: every buffered row was streamed at or after oldestEntryTime. Rows of day D are streamed during D, or a
/// little after it by processing lag (<see cref="DefaultLateArrivalMargin"/>). So when oldestEntryTime is later than
/// the end of D plus that margin, no buffered row belongs to D and the MERGE may run; otherwise it is refused. With
/// the daily run at 02:00 UTC for yesterday, the buffer then holds rows streamed after ~00:30, well past the margin.
/// A replay (backfill) of an old day streams rows of D later than that; BigQuery then rejects the MERGE itself, and
/// compaction reports that with the same advice (see <see cref="BigQueryCompaction"/>).
/// No streamingBuffer, or one that reports no rows and no time, means nothing is buffered.
/// <para>The rule is for rows written by insertAll only. Rows written through the Storage Write API (gRPC) can be
/// changed by UPDATE, DELETE and MERGE at once ("Alternatively, rows that were recently written using the Storage
/// Write API can be modified using UPDATE, DELETE, or MERGE statements":
/// https://cloud.google.com/bigquery/docs/data-manipulation-language, Limitations), so with
/// <see cref="WriteApi.Storage"/> nothing is refused up front; insertAll rows still buffered from before a switch
/// make BigQuery reject the MERGE itself, which compaction reports as a refusal.</para>
/// </remarks>
public static class StreamingBufferRule
{
    /// <summary>How late a row of a day may be streamed after that day ends (consumer lag, retries).</summary>
    public static readonly TimeSpan DefaultLateArrivalMargin = TimeSpan.FromMinutes(15);

    /// <summary>Null when the day may be compacted; otherwise why not. For rows written by <paramref name="writeApi"/>.</summary>
    public static string? Refusal(StreamingBuffer? buffer, DateOnly date, TimeSpan lateArrivalMargin, WriteApi writeApi) =>
        writeApi == WriteApi.Storage ? null : Refusal(buffer, date, lateArrivalMargin);

    /// <summary>Null when the day may be compacted; otherwise why not. For rows written by insertAll.</summary>
    public static string? Refusal(StreamingBuffer? buffer, DateOnly date, TimeSpan lateArrivalMargin)
    {
        if (buffer is null)
        {
            return null;
        }

        var endOfDay = new DateTimeOffset(date.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
        if (string.IsNullOrEmpty(buffer.OldestEntryTime))
        {
            return buffer.EstimatedRows is null or "0"
                ? null
                : $"the streaming buffer holds ~{buffer.EstimatedRows} rows and does not say since when";
        }

        if (!long.TryParse(buffer.OldestEntryTime, NumberStyles.None, CultureInfo.InvariantCulture, out var millis))
        {
            return $"the streaming buffer's oldestEntryTime '{buffer.OldestEntryTime}' is not a time";
        }

        var oldest = DateTimeOffset.FromUnixTimeMilliseconds(millis);
        return oldest > endOfDay + lateArrivalMargin
            ? null
            : string.Create(CultureInfo.InvariantCulture,
                $"the streaming buffer still holds rows streamed since {oldest:yyyy-MM-ddTHH:mm:ss}Z, which may belong to {date:yyyy-MM-dd} " +
                $"(rows streamed within ~30–90 minutes cannot be changed by DML; the day is safe once the oldest buffered row is " +
                $"later than {endOfDay + lateArrivalMargin:yyyy-MM-ddTHH:mm}Z)");
    }
}
