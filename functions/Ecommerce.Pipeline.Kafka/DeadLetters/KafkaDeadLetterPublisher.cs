using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;

namespace Ecommerce.Pipeline.Kafka.DeadLetters;

/// <summary>
/// Publishes dead letters to the dead-letter topic with an idempotent, acks=all producer.
/// <see cref="PublishAsync"/> hands the whole batch to librdkafka at once and completes when the broker has
/// acknowledged every record, so the caller may commit the source offsets afterwards.
/// </summary>
public sealed class KafkaDeadLetterPublisher : IDeadLetterPublisher, IDisposable
{
    public const string ReasonHeader = "dlq.reason";
    public const string SourceTopicHeader = "dlq.source.topic";
    public const string SourcePartitionHeader = "dlq.source.partition";
    public const string SourceOffsetHeader = "dlq.source.offset";

    private readonly IProducer<byte[], byte[]> _producer;
    private readonly bool _ownsProducer;
    private int _disposed;

    /// <summary>Creates its own producer from <see cref="KafkaClientConfig.Producer"/> with <paramref name="security"/>.</summary>
    public KafkaDeadLetterPublisher(string bootstrapServers, string topic = Defaults.DeadLetterTopic, KafkaSecurity? security = null)
        : this(new ProducerBuilder<byte[], byte[]>(
                   KafkaClientConfig.Producer(bootstrapServers, "ecommerce-pipeline-dlq", security))
                   // librdkafka would print every reconnect attempt to stderr; the processor's consumer reports broker
                   // faults once, and a failed delivery fails the batch, which is retried.
                   .SetLogHandler(static (_, _) => { })
                   .Build(),
               topic,
               ownsProducer: true)
    {
    }

    /// <summary>Uses <paramref name="producer"/> (which should be idempotent with acks=all); it is not disposed.</summary>
    public KafkaDeadLetterPublisher(IProducer<byte[], byte[]> producer, string topic = Defaults.DeadLetterTopic)
        : this(producer, topic, ownsProducer: false)
    {
    }

    private KafkaDeadLetterPublisher(IProducer<byte[], byte[]> producer, string topic, bool ownsProducer)
    {
        ArgumentNullException.ThrowIfNull(producer);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        _producer = producer;
        _ownsProducer = ownsProducer;
        Topic = topic;
    }

    public string Topic { get; }

    /// <summary>The record key: the transaction id when known, else <c>topic:partition:offset</c> of the source.</summary>
    public static string KeyOf(DeadLetter deadLetter)
    {
        ArgumentNullException.ThrowIfNull(deadLetter);
        return string.IsNullOrEmpty(deadLetter.TransactionId)
            ? string.Create(CultureInfo.InvariantCulture, $"{deadLetter.KafkaTopic}:{deadLetter.KafkaPartition}:{deadLetter.KafkaOffset}")
            : deadLetter.TransactionId;
    }

    /// <summary>
    /// Produces every dead letter and waits for all acknowledgements. Throws <see cref="DeadLetterPublishException"/>
    /// if any record was not persisted. Cancellation stops the wait, not records already handed to the producer.
    /// </summary>
    public async Task PublishAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deadLetters);
        if (deadLetters.Count == 0)
        {
            return;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var batch = new PendingBatch(deadLetters.Count);
        for (var i = 0; i < deadLetters.Count; i++)
        {
            var message = ToMessage(deadLetters[i]);
            while (true)
            {
                try
                {
                    _producer.Produce(Topic, message, batch.OnDelivery);
                    break;
                }
                catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    // The local queue drains as acks arrive; wait for room rather than fail the batch.
                    await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is KafkaException or ArgumentException or InvalidOperationException)
                {
                    // Records not handed over will never get a report: count them as failed so the wait ends.
                    batch.Abandon(deadLetters.Count - i, e);
                    await batch.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
                    return;
                }
            }
        }

        await batch.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        // Once: a host's container and the pipeline that built the publisher may both dispose it.
        if (_ownsProducer && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // Give in-flight records a chance; PublishAsync callers have already waited for theirs.
            _producer.Flush(TimeSpan.FromSeconds(10));
            _producer.Dispose();
        }
    }

    private static Message<byte[], byte[]> ToMessage(DeadLetter deadLetter) =>
        new()
        {
            Key = Encoding.UTF8.GetBytes(KeyOf(deadLetter)),
            Value = DeadLetterJson.ToUtf8Bytes(deadLetter),
            Headers = new Headers
            {
                { ReasonHeader, Encoding.UTF8.GetBytes(deadLetter.ReasonCode) },
                { SourceTopicHeader, Encoding.UTF8.GetBytes(deadLetter.KafkaTopic) },
                { SourcePartitionHeader, Encoding.UTF8.GetBytes(deadLetter.KafkaPartition.ToString(CultureInfo.InvariantCulture)) },
                { SourceOffsetHeader, Encoding.UTF8.GetBytes(deadLetter.KafkaOffset.ToString(CultureInfo.InvariantCulture)) },
            },
        };

    /// <summary>Counts delivery reports of one batch; completes when all arrived.</summary>
    private sealed class PendingBatch(int count)
    {
        private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly int _total = count;
        private int _remaining = count;
        private int _failed;
        private Error? _firstError;
        private Exception? _firstException;

        public Task Completion => _completion.Task;

        public void OnDelivery(DeliveryReport<byte[], byte[]> report)
        {
            if (report.Error.IsError || report.Status != PersistenceStatus.Persisted)
            {
                Interlocked.Increment(ref _failed);
                Interlocked.CompareExchange(ref _firstError, report.Error, null);
            }

            Done(1);
        }

        public void Abandon(int notProduced, Exception cause)
        {
            Interlocked.Add(ref _failed, notProduced);
            Interlocked.CompareExchange(ref _firstException, cause, null);
            Done(notProduced);
        }

        private void Done(int n)
        {
            if (Interlocked.Add(ref _remaining, -n) != 0)
            {
                return;
            }

            if (Volatile.Read(ref _failed) == 0)
            {
                _completion.TrySetResult();
                return;
            }

            _completion.TrySetException(new DeadLetterPublishException(
                Volatile.Read(ref _failed), _total, Volatile.Read(ref _firstError), Volatile.Read(ref _firstException)));
        }
    }
}

/// <summary>Some dead letters of a batch were not acknowledged by the broker.</summary>
public sealed class DeadLetterPublishException : Exception
{
    public DeadLetterPublishException()
    {
    }

    public DeadLetterPublishException(string message)
        : base(message)
    {
    }

    public DeadLetterPublishException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal DeadLetterPublishException(int failed, int total, Error? firstError, Exception? cause)
        : base(
            $"{failed} of {total} dead letter(s) were not acknowledged by the broker"
            + (firstError is { IsError: true } ? $": {firstError.Code} {firstError.Reason}" : cause is null ? "." : $": {cause.Message}"),
            cause)
    {
        Failed = failed;
        Total = total;
        FirstError = firstError?.Code;
    }

    public int Failed { get; }
    public int Total { get; }

    /// <summary>The broker or client error of the first failed record, when the failure came from a delivery report.</summary>
    public ErrorCode? FirstError { get; }
}
