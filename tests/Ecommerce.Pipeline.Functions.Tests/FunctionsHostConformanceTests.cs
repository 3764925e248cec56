using System.Globalization;
using System.Text.Json;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.DuckDb;
using Ecommerce.Pipeline.FunctionsHost.StandIn.Protocol;
using Ecommerce.Pipeline.Kafka.Embedded;
using Ecommerce.Pipeline.Kafka.DeadLetters;
using Status = Ecommerce.Pipeline.FunctionsHost.StandIn.Protocol.StatusResult.Types.Status;

namespace Ecommerce.Pipeline.Functions.Tests;

/// <summary>
/// The built function app driven exactly as the Functions host drives a dotnet-isolated worker, over
/// <c>FunctionRpc.EventStream</c>: started with the host's arguments and environment, indexed by
/// <c>FunctionsMetadataRequest</c> (the host does not read functions.metadata), loaded, and invoked with batches in
/// the shape the Kafka extension delivers them. What it stores is read back from the DuckDB file and the
/// dead-letter topic after <c>WorkerTerminate</c> ended the process.
/// </summary>
[Trait("Category", "Integration")]
public sealed class FunctionsHostConformanceTests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private readonly EmbeddedKafkaCluster _cluster = EmbeddedKafkaCluster.Start(brokers: 1, partitions: 3);
    private readonly TempDir _directory = new();

    private string DatabasePath => _directory.File("warehouse.duckdb");

    public static TheoryData<HostArgumentStyle> Styles => [HostArgumentStyle.Functions, HostArgumentStyle.Both];

    [Theory]
    [MemberData(nameof(Styles))]
    public async Task The_worker_connects_announces_itself_and_indexes_the_batched_kafka_functions(HostArgumentStyle style)
    {
        await using var worker = await HostedWorker.StartAsync(AppOutput, style, AppSettings());
        await worker.InitializeAndLoadAsync(AppOutput);

        Assert.Equal(worker.WorkerId, worker.StartStream!.WorkerId);
        Assert.Equal(Status.Success, worker.Init!.Result.Status);
        // Without it the host would send a batch as one JSON string instead of collection_string.
        Assert.Contains("TypedDataCollection", worker.Init.Capabilities.Keys);
        Assert.Equal(Status.Success, worker.Metadata!.Result.Status);
        Assert.False(worker.Metadata.UseDefaultMetadataIndexing);
        Assert.All(worker.Loaded, l => Assert.Equal(Status.Success, l.Result.Status));
        Assert.Equal(3, worker.Loaded.Count);

        Assert.Equal(0, await worker.TerminateAsync(TimeSpan.FromSeconds(5)));
        await worker.Stream.Closed.WaitAsync(HostedWorker.Deadline);
    }

    [Fact]
    public async Task The_older_arguments_alone_are_not_enough_for_the_2x_worker_and_it_says_what_is_missing()
    {
        var process = WorkerLauncher.Start(AppOutput, new Uri("http://127.0.0.1:1/"), HostArgumentStyle.Legacy,
            Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), AppSettings());
        await using (process)
        {
            Assert.NotEqual(0, await process.WaitForExitAsync(HostedWorker.Deadline));
            Assert.Contains("Functions:Worker:HostEndpoint", process.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task What_the_worker_reports_to_the_host_agrees_with_functions_metadata()
    {
        await using var worker = await HostedWorker.StartAsync(AppOutput, HostArgumentStyle.Functions, AppSettings());
        await worker.InitializeAndLoadAsync(AppOutput);
        using var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppOutput, "functions.metadata")));
        var written = file.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!);

        var reported = worker.Metadata!.FunctionMetadataResults;
        Assert.Equal(written.Keys.Order(StringComparer.Ordinal), reported.Select(f => f.Name).Order(StringComparer.Ordinal));
        foreach (var function in reported)
        {
            var expected = written[function.Name];
            Assert.Equal(expected.GetProperty("entryPoint").GetString(), function.EntryPoint);
            Assert.Equal(expected.GetProperty("scriptFile").GetString(), function.ScriptFile);
            Assert.Equal("dotnet-isolated", function.Language);

            // The batched Kafka trigger, as the host's Kafka extension will bind it.
            var raw = Assert.Single(function.RawBindings);
            using var binding = JsonDocument.Parse(raw);
            var trigger = binding.RootElement;
            Assert.Equal("kafkaTrigger", trigger.GetProperty("type").GetString());
            Assert.Equal("In", trigger.GetProperty("direction").GetString());
            Assert.Equal("Many", trigger.GetProperty("cardinality").GetString());
            Assert.Equal("String", trigger.GetProperty("dataType").GetString());
            Assert.Equal(KafkaInvocations.TriggerParameter, trigger.GetProperty("name").GetString());
            // Every property the worker reports, with the same value as in functions.metadata; the file has only an
            // empty "properties" bag besides.
            var fromFile = expected.GetProperty("bindings")[0];
            Assert.All(trigger.EnumerateObject(), p => Assert.True(JsonElement.DeepEquals(p.Value, fromFile.GetProperty(p.Name)),
                $"{function.Name}.{p.Name}: the worker reports {p.Value}, functions.metadata has {fromFile.GetProperty(p.Name)}"));
            Assert.Equal(["properties"], fromFile.EnumerateObject().Select(p => p.Name).Except(trigger.EnumerateObject().Select(p => p.Name)));
            Assert.Empty(fromFile.GetProperty("properties").EnumerateObject());

            // The function-level retry the host runs a failed batch under: exponential, unlimited, 1 s to 1 min.
            var retry = function.RetryOptions;
            Assert.Equal(RpcRetryOptions.Types.RetryStrategy.ExponentialBackoff, retry.RetryStrategy);
            Assert.Equal(-1, retry.MaxRetryCount);
            Assert.Equal(TimeSpan.FromSeconds(1), retry.MinimumInterval.ToTimeSpan());
            Assert.Equal(TimeSpan.FromMinutes(1), retry.MaximumInterval.ToTimeSpan());
            var writtenRetry = expected.GetProperty("retry");
            Assert.Equal(writtenRetry.GetProperty("maxRetryCount").GetInt32(), retry.MaxRetryCount);
            Assert.Equal(TimeSpan.Parse(writtenRetry.GetProperty("minimumInterval").GetString()!, CultureInfo.InvariantCulture),
                retry.MinimumInterval.ToTimeSpan());
            Assert.Equal(TimeSpan.Parse(writtenRetry.GetProperty("maximumInterval").GetString()!, CultureInfo.InvariantCulture),
                retry.MaximumInterval.ToTimeSpan());
        }

        await worker.TerminateAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Batches_as_the_kafka_extension_sends_them_are_stored_once_and_bad_input_fails_the_invocation()
    {
        KafkaRecordStub[] batch =
        [
            new(0, 10, Events.Transaction("h-1", Now.AddMinutes(-1)), "user-1", Now),
            new(0, 11, "{not json", "user-1", Now),
            new(1, 5, Events.Transaction("h-2", Now.AddMinutes(-2), price: "$1,299.99"), "user-2", Now),
            new(1, 6, """{"transaction_id":"h-x","product_id":"p","price":1,"timestamp":"2026-11-25T11:00:00Z"}""", "user-3", Now),
            new(2, 0, Events.Transaction("h-3", Now.AddSeconds(-5)), "user-4", Now),
        ];
        var metricsPort = HostingRegistrationTests.FreePort();
        var settings = AppSettings();
        settings[Hosting.PipelineSettings.MetricsPortSetting] = metricsPort.ToString(CultureInfo.InvariantCulture);
        await using (var worker = await HostedWorker.StartAsync(AppOutput, HostArgumentStyle.Functions, settings))
        {
            await worker.InitializeAndLoadAsync(AppOutput);
            var function = worker.FunctionId(ProcessTransactionsFunction.FunctionName);

            var first = await worker.Stream.InvokeAsync(KafkaInvocations.Batch(function, batch), HostedWorker.Deadline);
            Assert.True(first.Result.Status == Status.Success, first.Result.Exception?.Message);

            // The same batch again, as the host reruns it under the function's retry policy (with its retry context):
            // nothing may be stored twice, and the worker counts the rerun.
            var again = await worker.Stream.InvokeAsync(
                KafkaInvocations.Batch(function, batch, KafkaInvocations.Retry(1, -1, "sink unavailable")), HostedWorker.Deadline);
            Assert.True(again.Result.Status == Status.Success, again.Result.Exception?.Message);
            using (var http = new HttpClient())
            {
                var metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{metricsPort}/metrics"));
                Assert.Contains("pipeline_sink_retries_total{sink=\"duckdb\"} 1", metrics, StringComparison.Ordinal);
            }

            // An element that is not KafkaEventData (a binding or extension mismatch): a Failure, so it is retried and
            // not committed, and the good record in the same batch is not stored on its own.
            KafkaRecordStub[] odd = [new(2, 1, Events.Transaction("h-odd", Now), "user-5", Now), new(2, 2, "x", "user-5", Now)];
            var mismatch = await worker.Stream.InvokeAsync(KafkaInvocations.Batch(function,
                [Events.Envelope(2, 1, odd[0].Value, Now, "user-5"), "plain text, not an envelope"], odd), HostedWorker.Deadline);
            Assert.Equal(Status.Failure, mismatch.Result.Status);
            Assert.Contains("is not KafkaEventData JSON", mismatch.Result.Exception.Message, StringComparison.Ordinal);

            // What `func start` shows for a stored batch: the function's log line, sent to the host as RpcLog.
            Assert.Contains(worker.Stream.Logs, l => l.Message.StartsWith("Batch stored: 5 consumed, 3 rows, 0 duplicates, 2 dead letters",
                StringComparison.Ordinal));
            Assert.Contains(worker.Stream.Logs, l => l.Message.StartsWith("Batch stored: 5 consumed, 0 rows, 3 duplicates",
                StringComparison.Ordinal));

            Assert.Equal(0, await worker.TerminateAsync(TimeSpan.FromSeconds(5)));
        }

        using (var warehouse = DuckDbQueryRunner.Open(DatabasePath))
        {
            var rows = warehouse.Execute("SELECT transaction_id, kafka_partition, kafka_offset FROM transactions ORDER BY transaction_id").Rows;
            Assert.Equal(["h-1:0:10", "h-2:1:5", "h-3:2:0"], rows.Select(r => $"{r[0]}:{r[1]}:{r[2]}"));
            var deadLetters = warehouse.Execute("SELECT reason, kafka_partition, kafka_offset FROM dead_letters ORDER BY kafka_offset").Rows;
            Assert.Equal(["missing_field:1:6", "malformed_json:0:11"], deadLetters.Select(r => $"{r[0]}:{r[1]}:{r[2]}"));
        }

        // The dead-letter topic got both once per delivery (the topic is at-least-once; the table is exact).
        var published = KafkaTestKit.ConsumeAll(_cluster.BootstrapServers, Defaults.DeadLetterTopic);
        Assert.Equal(["malformed_json", "malformed_json", "missing_field", "missing_field"],
            published.Select(m => m.Header(KafkaDeadLetterPublisher.ReasonHeader)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_failing_sink_gives_a_failure_and_the_retried_batch_is_stored_once_when_it_recovers()
    {
        KafkaRecordStub stored = new(0, 19, Events.Transaction("s-0", Now.AddMinutes(-2)), "user-0", Now);
        KafkaRecordStub[] batch =
        [
            new(0, 20, Events.Transaction("s-1", Now.AddMinutes(-1)), "user-1", Now),
            new(1, 21, Events.Transaction("s-2", Now.AddMinutes(-1)), "user-2", Now),
        ];
        await using (var first = await StartLoadedWorkerAsync())
        {
            await InvokeAndSucceedAsync(first, [stored]);
            Assert.Equal(0, await first.TerminateAsync(TimeSpan.FromSeconds(5)));
        }

        // A clean stop checkpoints the warehouse: no write-ahead log is left behind.
        var walPath = DatabasePath + ".wal";
        Assert.False(File.Exists(walPath));
        await using (var worker = await StartLoadedWorkerAsync())
        {
            // A record stored before the restart comes again: found in the warehouse, nothing written, so the
            // warehouse is open and still has no log file.
            await InvokeAndSucceedAsync(worker, [stored]);

            // Where DuckDB's write-ahead log goes, a directory now stands: the first write fails as on a broken disk.
            var wal = Directory.CreateDirectory(walPath);
            var function = worker.FunctionId(ProcessTransactionsFunction.FunctionName);
            var failed = await worker.Stream.InvokeAsync(KafkaInvocations.Batch(function, batch), HostedWorker.Deadline);
            Assert.Equal(Status.Failure, failed.Result.Status);
            Assert.Contains(worker.Stream.Logs, l => l.Level == RpcLog.Types.Level.Error
                && l.Message.StartsWith("Batch of 2 not stored (attempt 0); the host retries it and commits nothing", StringComparison.Ordinal));

            // The disk is back; the host runs the same batch again under the function's retry policy.
            wal.Delete();
            var retried = await worker.Stream.InvokeAsync(
                KafkaInvocations.Batch(function, batch, KafkaInvocations.Retry(1, -1, failed.Result.Exception.Message)), HostedWorker.Deadline);
            Assert.True(retried.Result.Status == Status.Success, retried.Result.Exception?.Message + "\n" + worker.Stream.DescribeLogs());

            Assert.Equal(0, await worker.TerminateAsync(TimeSpan.FromSeconds(5)));
        }

        using var warehouse = DuckDbQueryRunner.Open(DatabasePath);
        Assert.Equal(["s-0", "s-1", "s-2"],
            warehouse.Execute("SELECT transaction_id FROM transactions ORDER BY transaction_id").Rows.Select(r => (string)r[0]!));
    }

    public void Dispose()
    {
        _cluster.Dispose();
        _directory.Dispose();
    }

    private async Task<HostedWorker> StartLoadedWorkerAsync()
    {
        var worker = await HostedWorker.StartAsync(AppOutput, HostArgumentStyle.Both, AppSettings());
        await worker.InitializeAndLoadAsync(AppOutput);
        return worker;
    }

    private static async Task InvokeAndSucceedAsync(HostedWorker worker, IReadOnlyList<KafkaRecordStub> batch)
    {
        var response = await worker.Stream.InvokeAsync(
            KafkaInvocations.Batch(worker.FunctionId(ProcessTransactionsFunction.FunctionName), batch), HostedWorker.Deadline);
        Assert.True(response.Result.Status == Status.Success, response.Result.Exception?.Message + "\n" + worker.Stream.DescribeLogs());
    }

    private Dictionary<string, string> AppSettings() => new()
    {
        [SettingNames.KafkaBrokerList] = _cluster.BootstrapServers,
        [SettingNames.TransactionsTopic] = Defaults.TransactionsTopic,
        [SettingNames.DeadLetterTopic] = Defaults.DeadLetterTopic,
        [SettingNames.ConsumerGroup] = Defaults.ConsumerGroup,
        [SettingNames.Sink] = "duckdb",
        [SettingNames.DuckDbPath] = DatabasePath,
        [Hosting.PipelineSettings.MetricsPortSetting] = "0",
        ["AzureFunctionsJobHost__functions__0"] = ProcessTransactionsFunction.FunctionName,
    };

    private static string AppOutput => FunctionsApp.Output();
}
