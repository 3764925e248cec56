using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Core.Processing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Ecommerce.Pipeline.Functions;

/// <summary>
/// The production entry point: a batch of Kafka records from <c>%TransactionsTopic%</c> through the one batch
/// handler (transform → sink → dead letters to <c>%DeadLetterTopic%</c> and the table).
/// </summary>
/// <remarks>
/// <para>
/// Returning acknowledges the batch and lets the host commit its offsets. Throwing (a sink or dead-letter publish
/// failure) makes the host retry the same batch: here with the function-level retry, and behind it with
/// <c>CommitOnFailure: false</c>, <c>MaxRetries: -1</c> in host.json, so a failed batch is never committed and
/// skipped. The sink is idempotent, so a retry stores nothing twice. Bad messages never throw: they are dead letters.
/// </para>
/// <para>
/// One function per way of reaching the cluster, because the trigger's <c>Protocol</c> and
/// <c>AuthenticationMode</c> are compile-time enums (only the credentials resolve from app settings). A deployment
/// runs exactly one, named in <c>AzureFunctionsJobHost__functions__0</c>; all three would join the same group.
/// </para>
/// </remarks>
public sealed partial class ProcessTransactionsFunction(
    TransactionBatchHandler handler, IPipelineMetrics metrics, ILogger<ProcessTransactionsFunction> logger)
{
    /// <summary>Plaintext listener (the in-cluster Strimzi one): <c>KafkaSaslMechanism=none</c>, <c>KafkaTls=disable</c>.</summary>
    public const string FunctionName = "ProcessTransactions";

    /// <summary>SASL/PLAIN over TLS (e.g. Confluent Cloud): <c>KafkaSaslMechanism=plaintext</c>, <c>KafkaTls=enable</c>.</summary>
    public const string SaslPlainFunctionName = "ProcessTransactionsSaslPlain";

    /// <summary>SCRAM-SHA-512 over TLS (e.g. Strimzi SCRAM): <c>KafkaSaslMechanism=scram_sha512</c>, <c>KafkaTls=enable</c>.</summary>
    public const string SaslScramFunctionName = "ProcessTransactionsSaslScram";

    private const string BrokerList = "%" + SettingNames.KafkaBrokerList + "%";
    private const string Topic = "%" + SettingNames.TransactionsTopic + "%";
    private const string Group = "%" + SettingNames.ConsumerGroup + "%";
    private const string Username = "%" + SettingNames.KafkaSaslUsername + "%";
    private const string Password = "%" + SettingNames.KafkaSaslPassword + "%";

    [Function(FunctionName)]
    [ExponentialBackoffRetry(-1, "00:00:01", "00:05:00")]
    public Task RunAsync(
        [KafkaTrigger(BrokerList, Topic, ConsumerGroup = Group, IsBatched = true)]
        string[] events,
        FunctionContext context) => HandleAsync(events, context);

    [Function(SaslPlainFunctionName)]
    [ExponentialBackoffRetry(-1, "00:00:01", "00:05:00")]
    public Task RunSaslPlainAsync(
        [KafkaTrigger(BrokerList, Topic, ConsumerGroup = Group, IsBatched = true,
            Protocol = BrokerProtocol.SaslSsl, AuthenticationMode = BrokerAuthenticationMode.Plain,
            Username = Username, Password = Password)]
        string[] events,
        FunctionContext context) => HandleAsync(events, context);

    [Function(SaslScramFunctionName)]
    [ExponentialBackoffRetry(-1, "00:00:01", "00:05:00")]
    public Task RunSaslScramAsync(
        [KafkaTrigger(BrokerList, Topic, ConsumerGroup = Group, IsBatched = true,
            Protocol = BrokerProtocol.SaslSsl, AuthenticationMode = BrokerAuthenticationMode.ScramSha512,
            Username = Username, Password = Password)]
        string[] events,
        FunctionContext context) => HandleAsync(events, context);

    private async Task HandleAsync(string[] events, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(context);
        var records = KafkaEventDataReader.Read(events);
        var retry = context.RetryContext?.RetryCount ?? 0;
        if (retry > 0)
        {
            // The host retries a batch only after this function threw, i.e. after a sink or publish failure.
            metrics.SinkRetry(handler.Sink.Name);
        }

        try
        {
            var outcome = await handler.HandleAsync(records, context.CancellationToken).ConfigureAwait(false);
            LogBatch(logger, outcome.Consumed, outcome.RowsInserted, outcome.Duplicates, outcome.DeadLetters);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(logger, e, records.Count, retry);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Batch stored: {Consumed} consumed, {Rows} rows, {Duplicates} duplicates, {DeadLetters} dead letters")]
    private static partial void LogBatch(ILogger logger, int consumed, int rows, int duplicates, int deadLetters);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Batch of {Count} not stored (attempt {Retry}); the host retries it and commits nothing")]
    private static partial void LogFailed(ILogger logger, Exception exception, int count, int retry);
}
