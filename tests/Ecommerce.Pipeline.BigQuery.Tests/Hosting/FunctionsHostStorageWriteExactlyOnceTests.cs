using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.FunctionsHost.StandIn;
using Ecommerce.Pipeline.FunctionsHost.StandIn.Protocol;
using Ecommerce.Pipeline.Hosting;
using Ecommerce.Pipeline.Kafka.Embedded;
using Status = Ecommerce.Pipeline.FunctionsHost.StandIn.Protocol.StatusResult.Types.Status;

namespace Ecommerce.Pipeline.BigQuery.Tests.Hosting;

/// <summary>
/// The built function app as a real worker process, driven over <c>FunctionRpc.EventStream</c> as the Functions host
/// drives it, with <c>Sink=bigquery</c> and the Storage Write defaults against the REST and Storage Write stand-ins.
/// The Kafka extension delivers a batch again after a failed invocation or a restart, and after a rebalance from the
/// last commit (old and new offsets together): with exactly-once delivery every message is in the warehouse once.
/// </summary>
[Trait("Category", "Integration")]
public sealed class FunctionsHostStorageWriteExactlyOnceTests : StorageWriteStandInPair, IDisposable
{
    // ProcessTransactionsFunction.FunctionName (the worker reports it; FunctionId fails if it is not there).
    private const string Function = "ProcessTransactions";
    private const int Partitions = 3;

    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private readonly EmbeddedKafkaCluster _cluster = EmbeddedKafkaCluster.Start(brokers: 1, partitions: Partitions);

    /// <summary>Offsets 0..9 of every partition.</summary>
    private static readonly IReadOnlyList<KafkaRecordStub> First = Records(0, 10);

    /// <summary>Offsets 5..19: half of <see cref="First"/> again and ten new ones per partition.</summary>
    private static readonly IReadOnlyList<KafkaRecordStub> Overlapping = Records(5, 15);

    [Fact]
    public async Task Redelivered_and_overlapping_batches_and_a_restart_store_every_message_once()
    {
        await using (var worker = await StartWorkerAsync(BigQueryWriteNames.ExactlyOnce))
        {
            await InvokeAndSucceedAsync(worker, First);
            var afterFirst = Stored();

            // The invocation failed after the write (say, the dead-letter publish): the extension sends the batch again.
            await InvokeAndSucceedAsync(worker, First, KafkaInvocations.Retry(1, -1, "dead-letter publish failed"));
            Assert.Equal(afterFirst, Stored());

            await InvokeAndSucceedAsync(worker, Overlapping);
            Assert.Equal(0, await worker.TerminateAsync(TimeSpan.FromSeconds(5)));
        }

        var beforeRestart = Stored();
        await using (var restarted = await StartWorkerAsync(BigQueryWriteNames.ExactlyOnce))
        {
            // A new process, no memory of what it wrote: the last batch again, as after a restart before the commit.
            await InvokeAndSucceedAsync(restarted, Overlapping);
            Assert.Equal(beforeRestart, Stored());
            await InvokeAndSucceedAsync(restarted, First);
            Assert.Equal(beforeRestart, Stored());
            Assert.Equal(0, await restarted.TerminateAsync(TimeSpan.FromSeconds(5)));
        }

        AssertEveryMessageOnce(Records(0, 20));
    }

    [Fact]
    public async Task The_same_sequence_at_least_once_stores_duplicates()
    {
        // The check above is not vacuous: without exactly-once the same redeliveries store rows twice.
        await using (var worker = await StartWorkerAsync(BigQueryWriteNames.AtLeastOnce))
        {
            await InvokeAndSucceedAsync(worker, First);
            await InvokeAndSucceedAsync(worker, First, KafkaInvocations.Retry(1, -1, "dead-letter publish failed"));
            await InvokeAndSucceedAsync(worker, Overlapping);
            Assert.Equal(0, await worker.TerminateAsync(TimeSpan.FromSeconds(5)));
        }

        var positions = Rest.KafkaPositions("ds.transactions");
        var expected = Valid(Records(0, 20)).Select(r => ((long)r.Partition, r.Offset)).ToHashSet();
        Assert.Equal(expected.Order(), positions.Distinct().Order());
        Assert.True(positions.Count > expected.Count, $"{positions.Count} rows for {expected.Count} messages: no duplicates");
    }

    [Fact]
    public async Task A_write_that_landed_but_failed_the_invocation_is_stored_once_when_redelivered_after_a_crash()
    {
        await using (var worker = await StartWorkerAsync(BigQueryWriteNames.ExactlyOnce))
        {
            await InvokeAndSucceedAsync(worker, First);
            var afterFirst = Stored();

            // Every AppendRows request is applied and then its stream reset before the answer: the sink reconnects until
            // it gives up, and the invocation fails although rows of the batch are in the table.
            Write.InjectEvery(StorageWriteFault.ResetAfterApply, 1);
            var failed = await worker.Stream.InvokeAsync(KafkaInvocations.Batch(worker.FunctionId(Function), Overlapping),
                TimeSpan.FromMinutes(3));
            Assert.Equal(Status.Failure, failed.Result.Status);
            Assert.True(Stored().Positions > afterFirst.Positions, "the fault applied none of the batch's appends");
            Write.InjectEvery(StorageWriteFault.ResetAfterApply, 0);

            // The worker crashes (killed, no WorkerTerminate); the host starts another and the batch comes again.
            worker.Process.Kill();
            await worker.Process.WaitForExitAsync(HostedWorker.Deadline);
        }

        await using (var restarted = await StartWorkerAsync(BigQueryWriteNames.ExactlyOnce))
        {
            await InvokeAndSucceedAsync(restarted, Overlapping, KafkaInvocations.Retry(1, -1, "the sink gave up"));
            Assert.Equal(0, await restarted.TerminateAsync(TimeSpan.FromSeconds(5)));
        }

        AssertEveryMessageOnce(Records(0, 20));
    }

    public void Dispose() => _cluster.Dispose();

    /// <summary>Rows and dead letters stored so far, by Kafka position.</summary>
    private (int Positions, int Rows, int DeadLetters) Stored()
    {
        var rows = Rest.KafkaPositions("ds.transactions").Count;
        var deadLetters = Rest.KafkaPositions("ds.dead_letters").Count;
        return (rows + deadLetters, rows, deadLetters);
    }

    private void AssertEveryMessageOnce(IReadOnlyList<KafkaRecordStub> delivered)
    {
        var valid = Valid(delivered);
        var invalid = delivered.Except(valid).ToList();
        var rows = Rest.LiveRows("ds.transactions");
        Assert.Equal(valid.Select(r => ((long)r.Partition, r.Offset)).Order(), Rest.KafkaPositions("ds.transactions").Order());
        Assert.Equal(valid.Select(r => Id(r.Partition, r.Offset)).Order(StringComparer.Ordinal),
            rows.Select(r => r.GetProperty("transaction_id").GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal(invalid.Select(r => ((long)r.Partition, r.Offset)).Order(), Rest.KafkaPositions("ds.dead_letters").Order());
    }

    private async Task<HostedWorker> StartWorkerAsync(string delivery)
    {
        var appOutput = FunctionsApp.Output();
        var worker = await HostedWorker.StartAsync(appOutput, HostArgumentStyle.Both, AppSettings(delivery));
        try
        {
            await worker.InitializeAndLoadAsync(appOutput);
            return worker;
        }
        catch
        {
            await worker.DisposeAsync();
            throw;
        }
    }

    private static async Task InvokeAndSucceedAsync(HostedWorker worker, IReadOnlyList<KafkaRecordStub> batch, RetryContext? retry = null)
    {
        var response = await worker.Stream.InvokeAsync(KafkaInvocations.Batch(worker.FunctionId(Function), batch, retry),
            HostedWorker.Deadline);
        Assert.True(response.Result.Status == Status.Success, response.Result.Exception?.Message + "\n" + worker.Stream.DescribeLogs());
    }

    private Dictionary<string, string> AppSettings(string delivery) => new()
    {
        [SettingNames.KafkaBrokerList] = _cluster.BootstrapServers,
        [SettingNames.TransactionsTopic] = Defaults.TransactionsTopic,
        [SettingNames.DeadLetterTopic] = Defaults.DeadLetterTopic,
        [SettingNames.ConsumerGroup] = Defaults.ConsumerGroup,
        [SettingNames.Sink] = "bigquery",
        [SettingNames.BigQueryProjectId] = "proj",
        [SettingNames.BigQueryDatasetId] = "ds",
        [SettingNames.BigQueryEndpoint] = Rest.Endpoint.ToString(),
        [SettingNames.BigQueryStorageEndpoint] = Write.Endpoint.ToString(),
        [SettingNames.BigQueryDelivery] = delivery,
        [PipelineSettings.MetricsPortSetting] = "0",
        ["AzureFunctionsJobHost__functions__0"] = Function,
    };

    /// <summary><paramref name="count"/> offsets from <paramref name="from"/> on every partition; every offset ending in 3 or 7 is invalid.</summary>
    private static List<KafkaRecordStub> Records(int from, int count) =>
    [
        .. Enumerable.Range(0, Partitions).SelectMany(partition => Enumerable.Range(from, count)
            .Select(offset => new KafkaRecordStub(partition, offset, Value(partition, offset), $"user-{offset}", Now))),
    ];

    private static string Value(int partition, long offset) => (offset % 10) switch
    {
        3 => "{not json",
        7 => $$"""{"transaction_id":"{{Id(partition, offset)}}","product_id":"p","price":1}""",
        _ => Events.Transaction(Id(partition, offset), Now.AddMinutes(-1)),
    };

    private static List<KafkaRecordStub> Valid(IEnumerable<KafkaRecordStub> records) =>
        [.. records.Where(r => r.Offset % 10 is not 3 and not 7)];

    private static string Id(int partition, long offset) => $"h-{partition}-{offset}";
}
