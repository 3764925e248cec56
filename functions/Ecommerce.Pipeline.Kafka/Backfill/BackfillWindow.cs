namespace Ecommerce.Pipeline.Kafka.Backfill;

/// <summary>The half-open time range [<see cref="From"/>, <see cref="To"/>) of a backfill, compared with Kafka message timestamps.</summary>
public sealed record BackfillWindow
{
    public BackfillWindow(DateTimeOffset from, DateTimeOffset to)
    {
        if (from >= to)
        {
            throw new ArgumentException($"The window start ({from:O}) must be before its end ({to:O}).", nameof(to));
        }

        From = from;
        To = to;
        FromMs = from.ToUnixTimeMilliseconds();
        ToMs = to.ToUnixTimeMilliseconds();
    }

    public DateTimeOffset From { get; }

    public DateTimeOffset To { get; }

    /// <summary>Kafka timestamps have millisecond precision, so the bounds are compared in Unix milliseconds.</summary>
    public long FromMs { get; }

    public long ToMs { get; }

    public bool Contains(long unixMs) => unixMs >= FromMs && unixMs < ToMs;
}
