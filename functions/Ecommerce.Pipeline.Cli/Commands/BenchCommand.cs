using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;
using Ecommerce.Pipeline.Cli.Hosting;
using Ecommerce.Pipeline.BigQuery.StorageWrite;
using Ecommerce.Pipeline.Cli.Producing;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Hosting;
using Ecommerce.Pipeline.Kafka;
using Ecommerce.Pipeline.Kafka.Consuming;
using Ecommerce.Pipeline.Kafka.Embedded;
using Ecommerce.Pipeline.Kafka.Producing;

namespace Ecommerce.Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline bench</c>: the end-to-end benchmark on the embedded broker, in one run so the figures are comparable:
/// (a) a plain consumer's raw read rate, (b) the pipeline's rate over the same messages into a fresh DuckDB,
/// (c) end-to-end latency at fixed producer rates, (d) peak RSS.
/// </summary>
internal static class BenchCommand
{
    /// <summary>Records per batch of the throughput run unless --batch-records says otherwise (the processor's default for a backlog).</summary>
    internal const int DefaultBatchRecords = 5_000;

    /// <summary>
    /// The smallest --messages that measures (b), in batches: its counters move once per batch and the first batch only
    /// starts the clock, so fewer than four full batches would leave too little (or, at one batch, nothing) to time.
    /// </summary>
    internal const int MinBatches = 4;

    /// <summary>Bytes a batch may hold per record it may hold: 5,000 transactions are about 1.3 MB, so records cut the batch.</summary>
    private const long BatchBytesPerRecord = 1024;

    /// <summary>The smallest --scale: the empty table's batch time is read from the first 20 batches (median and p90).</summary>
    internal const long MinScale = ScaleBench.Window * ScaleBench.BatchRows;

    public static Command Create()
    {
        var messages = Options.Positive("--messages", "Messages for the throughput runs", 200_000);
        var batchRecords = Options.Positive("--batch-records",
            $"Records per batch of the throughput run (default {DefaultBatchRecords:N0}); --messages must be at least {MinBatches} times this",
            DefaultBatchRecords);
        var json = new Option<string?>("--json") { Description = "Also write the results as JSON to this file" };
        var latencyDuration = Options.Duration("--latency-duration", "Length of each fixed-rate latency run (default 20s)");
        var rates = new Option<string>("--latency-rates") { Description = "Producer rates for the latency runs", DefaultValueFactory = _ => "833,20000" };
        // Not the `Sink` setting: a benchmark writes DuckDB unless told otherwise, whatever the environment says.
        var sink = new Option<string>("--sink")
        {
            Description = "Warehouse of the pipeline runs: duckdb (a fresh file per run) or bigquery (the --bigquery-* options)",
            DefaultValueFactory = _ => SinkKinds.DuckDbName,
            Validators = { r => { if (!SinkKinds.TryParse(r.GetValueOrDefault<string>(), out _)) { r.AddError("--sink must be duckdb or bigquery."); } } },
        };
        var scale = new Option<long?>("--scale")
        {
            Description = $"Instead: drive the DuckDB sink alone to this many rows (at least {MinScale:N0}) in batches of {ScaleBench.BatchRows:N0}; " +
                          "batch write time and RSS as the table grows, then the time to open the file again",
        };
        var bigQuery = BigQueryOptions.Create();
        var command = new Command("bench", "End-to-end benchmark on the embedded broker: raw consume vs pipeline, latency, peak RSS")
        {
            messages, batchRecords, json, latencyDuration, rates, sink, scale,
        };
        bigQuery.AddTo(command);
        var settingOptions = new SettingOptions();
        bigQuery.AddTo(settingOptions);
        command.SetAction((parse, cancellationToken) => ExitCodeMapper.GuardedAsync(() =>
        {
            // The broker's address is known once it runs; until then, a placeholder checks the other settings first.
            PipelineSettings SettingsFor(string bootstrapServers) => settingOptions.Read(parse,
                EmbeddedBrokerSettings.For(bootstrapServers, SinkKinds.TryParse(parse.GetValue(sink), out var kind) ? kind : Defaults.Sink, 0));
            var checkedSettings = SettingsFor("embedded:1");
            if (parse.GetValue(scale) is { } rows)
            {
                if (rows < MinScale)
                {
                    throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                        $"--scale must be at least {MinScale:N0}: the empty table's batch time is read from its first 20 batches of {ScaleBench.BatchRows:N0}."));
                }

                return RunScaleAsync(rows, checkedSettings.DuckDbMemoryLimit, parse.GetValue(json), cancellationToken);
            }

            var perBatch = parse.GetValue(batchRecords);
            if (parse.GetValue(messages) < (long)MinBatches * perBatch)
            {
                throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                    $"--messages must be at least {(long)MinBatches * perBatch:N0} ({MinBatches} × --batch-records): the pipeline rate is timed over whole batches of {perBatch:N0} after the first."));
            }

            return RunAsync(parse.GetValue(messages), perBatch, parse.GetValue(json), parse.GetValue(latencyDuration) ?? TimeSpan.FromSeconds(20),
                ParseRates(parse.GetValue(rates)!), SettingsFor, cancellationToken);
        }));
        return command;
    }

    private static async Task<int> RunScaleAsync(long rows, string memoryLimit, string? jsonPath, CancellationToken cancellationToken)
    {
        var workDir = Directory.CreateTempSubdirectory("pipeline-bench-scale-");
        try
        {
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"bench: the DuckDB sink alone to {rows:N0} rows in {workDir.FullName}, DuckDB memory_limit {memoryLimit}"));
            var result = await ScaleBench.RunAsync(rows, Path.Combine(workDir.FullName, "scale.duckdb"), memoryLimit, Console.Error,
                cancellationToken);
            ScaleBenchOutput.Print(result, Console.Out);
            if (jsonPath is not null)
            {
                await using var stream = CreateJsonFile(jsonPath);
                using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
                ScaleBenchOutput.WriteJson(writer, result);
            }

            return ExitCodes.Success;
        }
        finally
        {
            workDir.Delete(recursive: true);
        }
    }

    private static FileStream CreateJsonFile(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        return File.Create(path);
    }

    private static int[] ParseRates(string text)
    {
        try
        {
            return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(r => int.Parse(r, CultureInfo.InvariantCulture)).Where(r => r > 0).ToArray();
        }
        catch (FormatException)
        {
            throw new UsageException($"--latency-rates: '{text}' is not a comma-separated list of rates.");
        }
    }

    private static async Task<int> RunAsync(int messages, int batchRecords, string? jsonPath, TimeSpan latencyDuration, int[] rates,
        Func<string, PipelineSettings> settingsFor, CancellationToken cancellationToken)
    {
        var err = Console.Error;
        using var loggers = Logging.Create(Microsoft.Extensions.Logging.LogLevel.Warning);
        using var cluster = EmbeddedKafkaCluster.Start(brokers: 3, partitions: 6);
        var settings = settingsFor(cluster.BootstrapServers);
        var sinkName = settings.Sink.Name();
        PipelineSettings SinkFor(string workDir, string run) => settings with { DuckDbPath = Path.Combine(workDir, run + ".duckdb") };
        var workDir = Directory.CreateTempSubdirectory("pipeline-bench-");
        try
        {
            // Size the throughput topic so the broker retains all N: it deletes the oldest messages beyond its
            // per-partition budget, and a pre-produced backlog is the only way to compare raw and pipeline reads fairly.
            const int maxPartitions = 128;
            var partitions = Math.Max(6, (int)Math.Ceiling(messages / (EmbeddedKafkaCluster.RetainedMessagesPerPartition * 0.7)));
            if (partitions > maxPartitions)
            {
                throw new UsageException(
                    $"--messages {messages:N0} is more than the embedded broker retains in {maxPartitions} partitions; use at most " +
                    $"{(long)(maxPartitions * EmbeddedKafkaCluster.RetainedMessagesPerPartition * 0.7):N0}.");
            }

            const string topic = "bench_transactions";
            cluster.CreateTopic(topic, partitions);
            await err.WriteLineAsync($"bench: {messages:N0} messages pre-produced over {partitions} partitions on {cluster.BootstrapServers}");
            var produced = await ProduceSource.ProduceAsync(TransactionProducer.Create(cluster.BootstrapServers, security: settings.KafkaSecurity),
                new ProduceOptions { Topic = topic, Count = messages, BadRatio = 0.01, Seed = Random.Shared.Next(1, int.MaxValue) },
                null, cancellationToken);
            if (!produced.Succeeded)
            {
                throw new RuntimeFailureException($"pre-producing failed: {string.Join("; ", produced.Errors)}");
            }

            await err.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"bench: produced {produced.Acknowledged:N0} at {produced.AchievedRate:N0}/s"));

            var raw = RawConsume(settings, topic, messages, cancellationToken);
            await err.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"bench: (a) raw consume {raw:N0}/s"));

            var pipeline = await PipelineRate(topic, messages, batchRecords, SinkFor(workDir.FullName, "throughput"),
                loggers, cancellationToken);
            await err.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"bench: (b) pipeline {pipeline:N0}/s in batches of up to {batchRecords:N0}"));

            var latencies = new Dictionary<string, double[]>();
            foreach (var rate in rates)
            {
                var p = await Latency(cluster, rate, latencyDuration, SinkFor(workDir.FullName, $"latency-{rate}"), loggers, cancellationToken);
                latencies[rate.ToString(CultureInfo.InvariantCulture)] = p;
                await err.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"bench: (c) {rate}/s p50 {p[0]:F0} ms p95 {p[1]:F0} ms p99 {p[2]:F0} ms"));
            }

            var peakRssMb = ProcessMemory.PeakResidentMegabytes();
            var sinkLabel = settings.Sink != SinkKind.BigQuery ? "DuckDB"
                : settings.BigQueryWriteApi == WriteApi.InsertAll ? "BigQuery insertAll"
                : settings.BigQueryDelivery == DeliveryGuarantee.ExactlyOnce ? $"BigQuery Storage Write, {BigQueryWriteNames.ExactlyOnce}" : $"BigQuery Storage Write, {BigQueryWriteNames.AtLeastOnce}";
            PrintTable(sinkLabel, raw, pipeline, latencies, peakRssMb);
            if (jsonPath is not null)
            {
                await WriteJsonAsync(jsonPath, sinkName, raw, pipeline, latencies, peakRssMb);
            }

            return ExitCodes.Success;
        }
        finally
        {
            workDir.Delete(recursive: true);
        }
    }

    /// <summary>(a) A plain consumer with the processor's settings, doing nothing with what it reads.</summary>
    private static double RawConsume(PipelineSettings settings, string topic, int messages, CancellationToken cancellationToken)
    {
        var config = KafkaClientConfig.Consumer(settings.KafkaBrokerList, "bench-raw-" + Guid.NewGuid().ToString("N"),
            security: settings.KafkaSecurity);
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).SetLogHandler((_, _) => { }).Build();
        consumer.Subscribe(topic);
        // The clock starts at the first message, as for the pipeline: joining the group is not throughput.
        var started = 0L;
        long read = 0;
        long bytes = 0;
        while (read < messages && !cancellationToken.IsCancellationRequested)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result?.Message is { } message)
            {
                if (read == 0)
                {
                    started = Stopwatch.GetTimestamp();
                }

                read++;
                bytes += message.Value?.Length ?? 0;
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        consumer.Close();
        GC.KeepAlive(bytes);
        return read / elapsed.TotalSeconds;
    }

    /// <summary>(b) The stream processor over the same messages, into a fresh DuckDB (or BigQuery), until all are stored or dead-lettered.</summary>
    private static async Task<double> PipelineRate(string topic, int messages, int batchRecords, PipelineSettings settings,
        Microsoft.Extensions.Logging.ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var options = new StreamProcessorOptions
        {
            BootstrapServers = settings.KafkaBrokerList,
            Topic = topic,
            GroupId = "bench-pipeline-" + Guid.NewGuid().ToString("N"),
            MaxBatchRecords = batchRecords,
            // As `process` (4 MiB), and more for bigger batches, so the byte bound never cuts a backlog's batches.
            MaxBatchBytes = (int)Math.Min(int.MaxValue, Math.Max(4L * 1024 * 1024, batchRecords * BatchBytesPerRecord)),
        };
        await using var runtime = await PipelineRuntime.StartAsync(settings, options, loggers, cancellationToken);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var run = runtime.RunAsync(stop.Token);
        var c = runtime.Processor.Counters;
        var poll = TimeSpan.FromMilliseconds(5);
        await PipelineRuntime.WaitUntilAsync(c, x => x.Consumed > 0, run, poll, cancellationToken);

        // Counters move once per batch: the first batch marks the start and is not counted.
        var started = Stopwatch.GetTimestamp();
        var before = c.Consumed;
        await PipelineRuntime.WaitUntilAsync(c, x => x.Handled >= messages, run, poll, cancellationToken);

        var elapsed = Stopwatch.GetElapsedTime(started);
        await stop.CancelAsync();
        await run;
        return (messages - before) / elapsed.TotalSeconds;
    }

    /// <summary>(c) The processor running while the producer holds a fixed rate; Kafka timestamp → committed in DuckDB.</summary>
    private static async Task<double[]> Latency(EmbeddedKafkaCluster cluster, int rate, TimeSpan duration, PipelineSettings settings,
        Microsoft.Extensions.Logging.ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var topic = "bench_latency_" + rate.ToString(CultureInfo.InvariantCulture);
        cluster.CreateTopic(topic, 6);
        var options = new StreamProcessorOptions
        {
            BootstrapServers = cluster.BootstrapServers,
            Topic = topic,
            GroupId = "bench-latency-" + Guid.NewGuid().ToString("N"),
        };
        await using var runtime = await PipelineRuntime.StartAsync(settings, options, loggers, cancellationToken);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var run = runtime.RunAsync(stop.Token);
        // Let the group form before the clock starts, so the first messages do not wait for the assignment.
        var c = runtime.Processor.Counters;
        var poll = TimeSpan.FromMilliseconds(20);
        await PipelineRuntime.WaitUntilAsync(c, x => x.AssignedPartitions > 0, run, poll, cancellationToken);

        var produced = await ProduceSource.ProduceAsync(TransactionProducer.Create(cluster.BootstrapServers, security: settings.KafkaSecurity),
            new ProduceOptions { Topic = topic, Duration = duration, Rate = rate, Seed = Random.Shared.Next(1, int.MaxValue) }, null, cancellationToken);
        await PipelineRuntime.WaitUntilAsync(c, x => x.Handled >= produced.Acknowledged, run, poll, cancellationToken);

        await stop.CancelAsync();
        await run;
        return runtime.Latency.Percentiles(50, 95, 99) ?? [double.NaN, double.NaN, double.NaN];
    }

    private static void PrintTable(string sinkLabel, double raw, double pipeline, Dictionary<string, double[]> latencies, double peakRssMb)
    {
        var inv = CultureInfo.InvariantCulture;
        var o = Console.Out;
        o.WriteLine("| measure | value |");
        o.WriteLine("|---|---|");
        o.WriteLine(string.Create(inv, $"| (a) raw consume | {raw:N0} msg/s |"));
        o.WriteLine(string.Create(inv, $"| (b) pipeline (parse → {sinkLabel} → commit) | {pipeline:N0} tx/s |"));
        o.WriteLine(string.Create(inv, $"| ratio (b)/(a) | {pipeline / raw:F2} |"));
        foreach (var (rate, p) in latencies)
        {
            o.WriteLine(string.Create(inv, $"| (c) latency at {rate}/s p50 / p95 / p99 | {p[0]:F0} / {p[1]:F0} / {p[2]:F0} ms |"));
        }

        o.WriteLine(string.Create(inv, $"| (d) peak RSS | {peakRssMb:F0} MB |"));
    }

    private static async Task WriteJsonAsync(string path, string sink, double raw, double pipeline, Dictionary<string, double[]> latencies, double peakRssMb)
    {
        await using var stream = CreateJsonFile(path);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteString("sink", sink);
        writer.WriteNumber("raw_consume_per_sec", Math.Round(raw, 1));
        writer.WriteNumber("pipeline_per_sec", Math.Round(pipeline, 1));
        writer.WriteNumber("ratio", Math.Round(pipeline / raw, 3));
        writer.WriteStartObject("latency_ms");
        foreach (var (rate, p) in latencies)
        {
            writer.WriteStartObject(rate);
            writer.WriteNumber("p50", p[0]);
            writer.WriteNumber("p95", p[1]);
            writer.WriteNumber("p99", p[2]);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteNumber("peak_rss_mb", Math.Round(peakRssMb, 1));
        writer.WriteEndObject();
    }
}
