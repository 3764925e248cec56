using Microsoft.Extensions.Logging;

namespace Ecommerce.Pipeline.Kafka.Consuming;

/// <summary>Source-generated log messages of the consume loop (no boxing or formatting when the level is off).</summary>
internal static partial class StreamProcessorLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Subscribed to {Topic} as group {GroupId}")]
    public static partial void Subscribed(ILogger logger, string topic, string groupId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Partitions assigned: [{Partitions}]")]
    public static partial void Assigned(ILogger logger, IEnumerable<Confluent.Kafka.TopicPartition> partitions);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Partitions revoked: [{Partitions}]; {Dropped} unsent record(s) of them dropped for the new owner to re-read")]
    public static partial void Revoked(ILogger logger, IEnumerable<int> partitions, int dropped);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Partitions lost: [{Partitions}]; nothing committed for them, {Dropped} unsent record(s) dropped")]
    public static partial void Lost(ILogger logger, IEnumerable<int> partitions, int dropped);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Rebalance: {Batches} batch(es) still unacknowledged after {Timeout}; revoked partitions will be re-read from their last commit")]
    public static partial void DrainTimedOut(ILogger logger, int batches, TimeSpan timeout);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Batch failed (attempt {Attempt}); retrying in {Delay}")]
    public static partial void BatchRetry(ILogger logger, Exception? exception, int attempt, TimeSpan delay);

    [LoggerMessage(EventId = 9, Level = LogLevel.Debug, Message = "Sink behind: paused {Partitions} partition(s) with {Buffered} record(s) buffered")]
    public static partial void Paused(ILogger logger, int partitions, long buffered);

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "Sink caught up: resumed consumption")]
    public static partial void Resumed(ILogger logger);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Stopping ({Reason}): consumed {Consumed}, stored {Stored}, dead letters {DeadLetters}, duplicates {Duplicates}")]
    public static partial void Stopping(ILogger logger, StreamProcessorStopReason reason, long consumed, long stored, long deadLetters, long duplicates);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "Batch of {Records} record(s) abandoned on shutdown; it was not committed and will be re-read")]
    public static partial void Abandoned(ILogger logger, Exception? exception, int records);

    // Debug: the processor stops with the error, and the CLI reports it in its one stderr line.
    [LoggerMessage(EventId = 13, Level = LogLevel.Debug, Message = "Fatal Kafka error: {Code} {Reason}")]
    public static partial void Fatal(ILogger logger, Confluent.Kafka.ErrorCode code, string reason);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "Kafka client error: {Code} {Reason}")]
    public static partial void ClientError(ILogger logger, Confluent.Kafka.ErrorCode code, string reason);

    [LoggerMessage(EventId = 15, Level = LogLevel.Warning, Message = "Leaving the consumer group failed")]
    public static partial void CloseFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 17, Level = LogLevel.Warning, Message = "The sink was not told of released partitions [{Partitions}]")]
    public static partial void ReleaseFailed(ILogger logger, Exception exception, IEnumerable<int> partitions);

    [LoggerMessage(EventId = 16, Message = "librdkafka {Facility}: {Message}")]
    public static partial void Librdkafka(ILogger logger, LogLevel level, string facility, string message);
}
