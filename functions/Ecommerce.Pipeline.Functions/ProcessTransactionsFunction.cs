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
/// Returning acknowledges the batch: the Kafka extension then commits its offsets. Throwing (a sink or dead-letter
/// publish failure) keeps it, in two layers. First the function retry (unlimited, exponential from 1 s to
/// <see cref="RetryMaximumInterval"/>): the host runs the same batch again until it succeeds, and the extension's
/// batch executor waits for that run, so it neither commits nor hands on a later batch meanwhile. Second,
/// host.json's <c>CommitOnFailure: false</c> with <c>MaxRetries: -1</c>, which the pinned host extension
/// (Microsoft.Azure.WebJobs.Extensions.Kafka 4.3.x) honours: should a run still end in failure (the host stopping
/// mid-retry), the extension does not commit it and never force-commits; the batch comes again when the partition is
/// next assigned. The sink is idempotent, so a batch delivered again stores nothing twice. Bad messages never throw:
/// they are dead letters.
/// </para>
/// <para>
/// While a batch is retried the extension's consume loop waits, so after host.json's <c>MaxPollIntervalMs</c>
/// (15 min, well above the 1 min retry ceiling) the consumer leaves the group and its partitions move: a sink outage
/// shorter than that moves nothing, a longer one hands the partitions to another member, which gets the same
/// uncommitted batch (README, "Azure Functions host").
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

    /// <summary>The function retry's first wait.</summary>
    public const string RetryMinimumInterval = "00:00:01";

    /// <summary>
    /// The function retry's longest wait: a recovered sink is used again within a minute, and it stays far below
    /// host.json's <c>MaxPollIntervalMs</c> (15 min), so a single wait never costs the consumer its partitions.
    /// </summary>
    public const string RetryMaximumInterval = "00:01:00";

    [Function(FunctionName)]
    [ExponentialBackoffRetry(-1, RetryMinimumInterval, RetryMaximumInterval)]
    public Task RunAsync(
        [KafkaTrigger(BrokerList, Topic, ConsumerGroup = Group, IsBatched = true)]
        string[] events,
        FunctionContext context) => HandleAsync(events, context);

    [Function(SaslPlainFunctionName)]
    [ExponentialBackoffRetry(-1, RetryMinimumInterval, RetryMaximumInterval)]
    public Task RunSaslPlainAsync(
        [KafkaTrigger(BrokerList, Topic, ConsumerGroup = Group, IsBatched = true,
            Protocol = BrokerProtocol.SaslSsl, AuthenticationMode = BrokerAuthenticationMode.Plain,
            Username = Username, Password = Password)]
        string[] events,
        FunctionContext context) => HandleAsync(events, context);

    [Function(SaslScramFunctionName)]
    [ExponentialBackoffRetry(-1, RetryMinimumInterval, RetryMaximumInterval)]
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
