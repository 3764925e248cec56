namespace Ecommerce.Pipeline.Core.Schema;

/// <summary>
/// When BigQuery deletes a DAY partition, so that DuckDB's retention keeps the same days. BigQuery counts a
/// partition's expiration from the partition boundary at the end of its UTC day: "with daily partitioning, the
/// partition boundary is at midnight (00:00:00 UTC). If the table's partition expiration is 6 hours, then each
/// partition expires at 06:00:00 UTC the following day"
/// (https://cloud.google.com/bigquery/docs/managing-partitioned-tables#partition-expiration). The API reference's
/// "partition time plus this value" (TimePartitioning.expirationMs) does not say which boundary; that example does.
/// </summary>
public static class PartitionExpiry
{
    /// <summary>The instant the partition of <paramref name="day"/> expires: the end of that UTC day plus <paramref name="expiration"/>.</summary>
    public static DateTimeOffset ExpiresAt(DateOnly day, TimeSpan expiration) =>
        new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) + expiration;

    /// <summary>
    /// The oldest UTC day whose partition has not expired at <paramref name="now"/>: with 7 days, today and the 7 days
    /// before it.
    /// </summary>
    public static DateOnly OldestKept(DateTimeOffset now, TimeSpan expiration) =>
        // Kept while now < end of day + expiration, i.e. while the day's start is after now - expiration - 1 day.
        DateOnly.FromDateTime((now - expiration).UtcDateTime);
}
