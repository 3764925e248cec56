using Ecommerce.Pipeline.Core.Geo;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.Kafka.Backfill;
using Ecommerce.Pipeline.Kafka.DeadLetters;
using Microsoft.Extensions.Logging;

namespace Ecommerce.Pipeline.Cli.Hosting;

/// <summary>
/// <c>pipeline backfill</c>'s runner with the same sink, dead-letter publisher and batch handler as <c>process</c>
/// builds them (<see cref="PipelineRuntime"/>), so a replayed message is treated exactly like a live one. A dry run
/// opens neither the sink nor the publisher: it writes nothing anywhere.
/// </summary>
internal sealed class BackfillRuntime : IAsyncDisposable
{
    private readonly ITransactionSink? _sink;
    private readonly KafkaDeadLetterPublisher? _publisher;

    public BackfillRuntime(BackfillOptions options, SinkOptions sinkOptions, string deadLetterTopic, bool dryRun, ILoggerFactory loggers)
    {
        if (dryRun)
        {
            Runner = new BackfillRunner(options, loggers.CreateLogger<BackfillRunner>());
            return;
        }

        _sink = SinkFactory.Create(sinkOptions);
        try
        {
            _publisher = new KafkaDeadLetterPublisher(options.BootstrapServers, deadLetterTopic);
            var time = TimeProvider.System;
            var handler = new TransactionBatchHandler(new BatchProcessor(time, GeoResolver.Default), _sink, _publisher,
                NullPipelineMetrics.Instance, time);
            Runner = new BackfillRunner(options, handler, loggers.CreateLogger<BackfillRunner>());
        }
        catch
        {
            _publisher?.Dispose();
            _sink.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    public BackfillRunner Runner { get; }

    public async ValueTask DisposeAsync()
    {
        _publisher?.Dispose();
        if (_sink is not null)
        {
            await _sink.DisposeAsync();
        }
    }
}
