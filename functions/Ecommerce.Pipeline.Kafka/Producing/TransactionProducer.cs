using Confluent.Kafka;
using Ecommerce.Pipeline.Core.Model;

namespace Ecommerce.Pipeline.Kafka.Producing;

/// <summary>
/// Publishes messages from a source at a controlled rate with an idempotent, acks=all producer, reports progress,
/// and returns a summary only after every message sent was acknowledged or failed (a failure is counted and its
/// error kept, never dropped silently).
/// </summary>
public sealed class TransactionProducer
{
    private const int MaxErrorsKept = 5;

    private readonly ProducerConfig _config;
    private readonly TimeProvider _time;

    /// <param name="config">Usually <see cref="KafkaClientConfig.Producer"/>; idempotence and acks=all are enforced.</param>
    /// <param name="time">Drives pacing, durations and progress.</param>
    public TransactionProducer(ProducerConfig config, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        // A copy: the caller's object stays as it was.
        _config = new ProducerConfig(config.ToDictionary(kv => kv.Key, kv => kv.Value))
        {
            EnableIdempotence = true,
            Acks = Acks.All,
            // Only success or failure is needed back; skipping key/value marshalling saves CPU per message.
            DeliveryReportFields = "status",
        };
        _time = time ?? TimeProvider.System;
    }

    public static TransactionProducer Create(string bootstrapServers, TimeProvider? time = null, KafkaSecurity? security = null) =>
        new(KafkaClientConfig.Producer(bootstrapServers, security: security), time);

    /// <summary>
    /// Sends messages from <paramref name="source"/> until it ends, <see cref="ProduceOptions.Count"/> messages
    /// were sent or <see cref="ProduceOptions.Duration"/> passed, or <paramref name="cancellationToken"/> fires;
    /// then waits for every acknowledgement. Throws <see cref="KafkaException"/> when the cluster cannot be reached.
    /// </summary>
    public async Task<ProduceSummary> ProduceAsync(
        IMessageSource source,
        ProduceOptions options,
        IProgress<ProduceProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var deliveries = new DeliveryCounter();
        using var producer = new ProducerBuilder<byte[]?, byte[]>(_config)
            .SetErrorHandler((_, error) => deliveries.ClientError(error))
            .SetLogHandler((_, _) => { }) // errors arrive through the error handler; librdkafka's chatter is not ours to print
            .Build();

        EnsureReachable(producer, options);

        var run = new Run(options, progress, _time, deliveries);
        var pacer = new ProducePacer(options.Rate, _time);
        var injected = new long[Enum.GetValues<DeadLetterReason>().Length];
        var cancelled = false;
        var topic = options.Topic;
        Action<DeliveryReport<byte[]?, byte[]>> onDelivery = deliveries.Delivered;

        try
        {
            while (!run.LimitReached && !deliveries.Fatal)
            {
                if (!await run.PaceAsync(pacer, cancellationToken) || !await source.MoveNextAsync(cancellationToken))
                {
                    break;
                }

                var next = source.Current;
                var message = new Message<byte[]?, byte[]>
                {
                    Key = next.HasKey ? next.Key.ToArray() : null,
                    Value = next.Value.ToArray(),
                };
                await ProduceWithBackpressureAsync(producer, topic, message, onDelivery, run, deliveries, cancellationToken);
                if (next.ExpectedReason is { } reason)
                {
                    injected[(int)reason]++;
                }

                run.Sent();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            cancelled = true;
        }

        var sendingElapsed = run.Elapsed;
        // Every message ends acknowledged or failed within message.timeout.ms, so this loop ends.
        while (producer.Flush(options.ProgressInterval) > 0)
        {
            run.Report(flushing: true, force: true);
        }

        run.Report(flushing: true, force: true);

        var byReason = new Dictionary<DeadLetterReason, long>();
        for (var i = 0; i < injected.Length; i++)
        {
            if (injected[i] > 0)
            {
                byReason[(DeadLetterReason)i] = injected[i];
            }
        }

        var sent = run.SentCount;
        return new ProduceSummary(
            sent,
            deliveries.Acknowledged,
            deliveries.Failed,
            byReason,
            run.Elapsed,
            sendingElapsed,
            sendingElapsed > TimeSpan.Zero ? sent / sendingElapsed.TotalSeconds : 0,
            deliveries.Errors,
            cancelled);
    }

    private static void EnsureReachable(IProducer<byte[]?, byte[]> producer, ProduceOptions options)
    {
        using var admin = new DependentAdminClientBuilder(producer.Handle).Build();
        try
        {
            // Fails with a clear error now rather than after message.timeout.ms of retries.
            admin.GetMetadata(options.ConnectTimeout);
        }
        catch (KafkaException e)
        {
            throw new KafkaException(new Error(e.Error.Code,
                $"Kafka is unreachable (no metadata within {options.ConnectTimeout.TotalSeconds:0.#}s): {e.Error.Reason}"));
        }
    }

    private static async Task ProduceWithBackpressureAsync(
        IProducer<byte[]?, byte[]> producer,
        string topic,
        Message<byte[]?, byte[]> message,
        Action<DeliveryReport<byte[]?, byte[]>> onDelivery,
        Run run,
        DeliveryCounter deliveries,
        CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                producer.Produce(topic, message, onDelivery);
                return;
            }
            catch (ProduceException<byte[]?, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                // The client's queue is full: let deliveries drain it. Real time, not the injected clock: this
                // waits on the network, not on the schedule.
                await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken);
                run.Report(flushing: false, force: false);
            }
            catch (ProduceException<byte[]?, byte[]> e)
            {
                // Refused before it left (e.g. larger than message.max.bytes): a failed message, and the run goes on.
                deliveries.Rejected(e.Error);
                return;
            }
        }
    }

    /// <summary>Counts delivery reports (they arrive on the client's poll thread) and keeps the first few errors.</summary>
    private sealed class DeliveryCounter
    {
        private readonly Lock _gate = new();
        private readonly List<string> _errors = [];
        private long _acknowledged;
        private long _failed;

        public long Acknowledged => Interlocked.Read(ref _acknowledged);
        public long Failed => Interlocked.Read(ref _failed);
        private volatile bool _fatal;

        public bool Fatal => _fatal;

        public IReadOnlyList<string> Errors
        {
            get
            {
                lock (_gate)
                {
                    return [.. _errors];
                }
            }
        }

        public void Delivered(DeliveryReport<byte[]?, byte[]> report)
        {
            if (report.Error.IsError)
            {
                Interlocked.Increment(ref _failed);
                Remember($"delivery failed: {report.Error.Reason} ({report.Error.Code})");
            }
            else
            {
                Interlocked.Increment(ref _acknowledged);
            }
        }

        public void Rejected(Error error)
        {
            Interlocked.Increment(ref _failed);
            Remember($"message refused by the client: {error.Reason} ({error.Code})");
        }

        public void ClientError(Error error)
        {
            if (error.IsFatal)
            {
                _fatal = true;
                Remember($"fatal client error: {error.Reason} ({error.Code})");
            }
            else if (error.Code is not ErrorCode.Local_AllBrokersDown and not ErrorCode.Local_Transport)
            {
                // Transient connection errors are retried by the client and show up as delivery failures if they last.
                Remember($"client error: {error.Reason} ({error.Code})");
            }
        }

        private void Remember(string error)
        {
            lock (_gate)
            {
                if (_errors.Count < MaxErrorsKept && !_errors.Contains(error))
                {
                    _errors.Add(error);
                }
            }
        }
    }

    /// <summary>One run's clock, limits and progress reporting.</summary>
    private sealed class Run(ProduceOptions options, IProgress<ProduceProgress>? progress, TimeProvider time, DeliveryCounter deliveries)
    {
        private readonly long _start = time.GetTimestamp();
        private long _sent;
        private long _lastReport = time.GetTimestamp();
        private long _sentAtLastReport;

        public long SentCount => _sent;

        public TimeSpan Elapsed => time.GetElapsedTime(_start);

        public bool LimitReached =>
            (options.Count is { } count && _sent >= count) || (options.Duration is { } duration && Elapsed >= duration);

        public void Sent()
        {
            _sent++;
            if ((_sent & 0xFF) == 0)
            {
                Report(flushing: false, force: false);
            }
        }

        /// <summary>Waits until the pacer releases the next message; <c>false</c> if the duration ran out meanwhile.</summary>
        public async ValueTask<bool> PaceAsync(ProducePacer pacer, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TimeSpan wait;
            while ((wait = pacer.NextDelay()) > TimeSpan.Zero)
            {
                // Wake at least once per progress interval so a slow rate still draws a live progress bar.
                await Task.Delay(wait < options.ProgressInterval ? wait : options.ProgressInterval, time, cancellationToken);
                Report(flushing: false, force: false);
                if (LimitReached)
                {
                    return false;
                }
            }

            return true;
        }

        public void Report(bool flushing, bool force)
        {
            if (progress is null)
            {
                return;
            }

            var now = time.GetTimestamp();
            var sinceLast = time.GetElapsedTime(_lastReport, now);
            if (!force && sinceLast < options.ProgressInterval)
            {
                return;
            }

            var rate = sinceLast > TimeSpan.Zero ? (_sent - _sentAtLastReport) / sinceLast.TotalSeconds : 0;
            _lastReport = now;
            _sentAtLastReport = _sent;
            progress.Report(new ProduceProgress(
                _sent, deliveries.Acknowledged, deliveries.Failed, time.GetElapsedTime(_start, now), rate,
                options.Count, options.Duration, flushing));
        }
    }
}
