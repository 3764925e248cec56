using Ecommerce.Pipeline.BigQuery;
using Ecommerce.Pipeline.BigQuery.Rest;
using Ecommerce.Pipeline.BigQuery.StorageWrite;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Core.Geo;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.Core.Schema;
using Ecommerce.Pipeline.DuckDb;
using Ecommerce.Pipeline.Kafka.DeadLetters;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ecommerce.Pipeline.Hosting;

/// <summary>
/// The one place the pipeline is assembled: the sink named by the settings, the Kafka dead-letter publisher and the
/// batch handler, for the function app and every CLI verb that stores data.
/// </summary>
public static class PipelineFactory
{
    /// <summary>How long the BigQuery start-up checks (credentials, tables) may take before the host gives up.</summary>
    public static readonly TimeSpan StartupCheckTimeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Opens the sink and runs its start-up checks (DuckDB: opens or creates the file and its tables; BigQuery:
    /// checks or creates both tables, which also proves the credentials), then builds the publisher and the
    /// handler. A sink that cannot make progress fails here, before anything is consumed.
    /// </summary>
    /// <param name="settings">What to build, read by <see cref="PipelineSettings.From"/>.</param>
    /// <param name="metrics">Where the handler reports batches, rows, dead letters and sink errors.</param>
    /// <param name="time">The clock of the transform and the metrics; the system clock when null.</param>
    /// <param name="processor">The transform; a new one on <paramref name="time"/> and the default geocoder when null.</param>
    /// <param name="beforeKafkaClients">
    /// Runs after the sink's checks and before any Kafka client exists (e.g. a cluster reachability check); what it
    /// throws is thrown after the sink is closed again.
    /// </param>
    /// <param name="loggers">Where the BigQuery sink logs its waits (a table not ready, throttling) and request splits.</param>
    /// <param name="cancellationToken">Cancels the start-up checks.</param>
    /// <exception cref="WarehouseException">The DuckDB file cannot be opened (locked, or tables of another shape).</exception>
    /// <exception cref="SinkUnavailableException">A BigQuery table is missing and cannot be created (e.g. no dataset).</exception>
    /// <exception cref="BigQueryException">BigQuery or its credentials refused the checks.</exception>
    public static async Task<PipelineParts> BuildAsync(
        PipelineSettings settings,
        IPipelineMetrics metrics,
        TimeProvider? time = null,
        BatchProcessor? processor = null,
        Action? beforeKafkaClients = null,
        ILoggerFactory? loggers = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(metrics);
        time ??= TimeProvider.System;
        var observer = new BigQuerySinkObserver(metrics,
            (loggers ?? NullLoggerFactory.Instance).CreateLogger("Ecommerce.Pipeline.BigQuery"));
        var sink = await OpenSinkAsync(settings, observer, time, cancellationToken).ConfigureAwait(false);
        KafkaDeadLetterPublisher? publisher = null;
        try
        {
            beforeKafkaClients?.Invoke();
            publisher = new KafkaDeadLetterPublisher(settings.KafkaBrokerList, settings.DeadLetterTopic, settings.KafkaSecurity);
            var handler = new TransactionBatchHandler(processor ?? new BatchProcessor(time, GeoResolver.Default), sink, publisher,
                metrics, time);
            return new PipelineParts(settings, sink, publisher, handler);
        }
        catch
        {
            publisher?.Dispose();
            await sink.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<ITransactionSink> OpenSinkAsync(PipelineSettings settings, IBigQueryObserver observer, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (settings.Sink != SinkKind.BigQuery)
        {
            return new DuckDbSink(settings.DuckDbPath, settings.DuckDbMemoryLimit);
        }

        var sinkOptions = new BigQuerySinkOptions
        {
            ProjectId = settings.BigQueryProjectId!,
            DatasetId = settings.BigQueryDatasetId!,
            TableId = settings.BigQueryTableId ?? PipelineSchema.TransactionsTable,
        };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartupCheckTimeout);
        try
        {
            // Application Default Credentials, unless BigQuery__Credentials or an endpoint override (auto) say none.
            var restOptions = new BigQueryClientOptions
            {
                Endpoint = settings.BigQueryEndpoint, Credentials = settings.BigQueryCredentials, Observer = observer,
            };
            if (settings.BigQueryWriteApi == WriteApi.InsertAll)
            {
                return await BigQuerySink.CreateAsync(sinkOptions, restOptions, timeout.Token).ConfigureAwait(false);
            }

            var writeOptions = new StorageWriteOptions
            {
                Endpoint = settings.BigQueryStorageEndpoint,
                Credentials = settings.BigQueryCredentials,
                Delivery = settings.BigQueryDelivery,
                Topic = settings.TransactionsTopic,
                WatermarkTrust = settings.BigQueryWatermarkTrust,
                WatermarkClock = time,
            };
            // Both clients share one ADC token source (one token, one refresh, the same failure when the key is revoked).
            return await StorageWriteSink.CreateAsync(sinkOptions, writeOptions, restOptions, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BigQueryException(
                $"the start-up checks of {sinkOptions.ProjectId}.{sinkOptions.DatasetId} did not finish within {StartupCheckTimeout.TotalMinutes:0} minutes.", ex);
        }
    }
}
