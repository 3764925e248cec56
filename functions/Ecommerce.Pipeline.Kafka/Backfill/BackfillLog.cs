using Microsoft.Extensions.Logging;

namespace Ecommerce.Pipeline.Kafka.Backfill;

/// <summary>Source-generated log messages of the backfill.</summary>
internal static partial class BackfillLog
{
    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Backfill of {Topic} [{From:O}, {To:O}): partition {Partition} low={Low} high={High} start={Start} ({FoundBy})")]
    public static partial void Planned(ILogger logger, string topic, DateTimeOffset from, DateTimeOffset to, int partition, long low,
        long high, long start, StartLookup foundBy);

    [LoggerMessage(EventId = 106, Level = LogLevel.Information, Message = "Partition {Partition}: read only below the live group {Group}'s committed offset ({Committed}, none: nothing read); {Left} message(s) up to the high watermark are left to the live processor")]
    public static partial void LeftToLive(ILogger logger, int partition, string group, long? committed, long left);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "The broker did not resolve offsets by timestamp for {Count} partition(s) (OffsetsForTimes answered End although later messages exist, as the embedded mock does); found them by binary search over the log ({Probes} single-message reads); plan made in {Elapsed}")]
    public static partial void SearchFallback(ILogger logger, int count, int probes, TimeSpan elapsed);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "OffsetsForTimes failed ({Reason}); binary search over the log instead")]
    public static partial void OffsetsForTimesFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Batch failed (attempt {Attempt}); retrying in {Delay}")]
    public static partial void BatchRetry(ILogger logger, Exception? exception, int attempt, TimeSpan delay);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "Consume error (not fatal), continuing: {Code} {Reason}")]
    public static partial void ConsumeError(ILogger logger, Confluent.Kafka.ErrorCode code, string reason);
}
