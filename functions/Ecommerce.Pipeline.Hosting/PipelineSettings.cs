using System.Globalization;
using Ecommerce.Pipeline.Core.Configuration;
using Microsoft.Extensions.Configuration;

namespace Ecommerce.Pipeline.Hosting;

/// <summary>
/// The settings of CONTRACT §4 read once from configuration (environment, <c>local.settings.json</c> Values, a
/// ConfigMap), with the contract's defaults. Reading happens at startup so a bad value stops the host with one clear
/// message instead of failing every batch.
/// </summary>
public sealed record PipelineSettings(
    string KafkaBrokerList,
    string TransactionsTopic,
    string DeadLetterTopic,
    string ConsumerGroup,
    string Sink,
    string DuckDbPath,
    int MetricsPort)
{
    /// <summary>
    /// Port of the Prometheus endpoint (CONTRACT §5, default <see cref="Defaults.MetricsPort"/>); 0 turns it off.
    /// Host-only, so not part of <see cref="SettingNames"/>: it lets a local app run beside <c>pipeline dev</c>.
    /// </summary>
    public const string MetricsPortSetting = "MetricsPort";

    public const string DuckDbSink = "duckdb";
    public const string BigQuerySink = "bigquery";

    /// <summary><c>BigQuery__ProjectId</c>; required when <see cref="Sink"/> is <c>bigquery</c>.</summary>
    public string? BigQueryProjectId { get; init; }

    /// <summary><c>BigQuery__DatasetId</c>; required when <see cref="Sink"/> is <c>bigquery</c>.</summary>
    public string? BigQueryDatasetId { get; init; }

    /// <summary><c>BigQuery__TableId</c>; default <c>transactions</c>.</summary>
    public string? BigQueryTableId { get; init; }

    /// <summary><c>BigQuery__Endpoint</c>: an emulator or stand-in; when set, no credentials are used.</summary>
    public Uri? BigQueryEndpoint { get; init; }

    /// <exception cref="InvalidOperationException">A required setting is missing or a value is not allowed.</exception>
    public static PipelineSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var brokers = Read(configuration, SettingNames.KafkaBrokerList, null)
            ?? throw new InvalidOperationException(
                $"Setting '{SettingNames.KafkaBrokerList}' is required (the bootstrap servers, e.g. 127.0.0.1:9092).");
        var sink = Read(configuration, SettingNames.Sink, Defaults.Sink)!.ToLowerInvariant();
        if (sink is not (DuckDbSink or BigQuerySink))
        {
            throw new InvalidOperationException(
                $"Setting '{SettingNames.Sink}' must be '{DuckDbSink}' or '{BigQuerySink}', not '{sink}'.");
        }

        var portText = Read(configuration, MetricsPortSetting, null);
        var port = Defaults.MetricsPort;
        if (portText is not null
            && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535))
        {
            throw new InvalidOperationException(
                $"Setting '{MetricsPortSetting}' must be a port number (0 = no endpoint), not '{portText}'.");
        }

        var endpointText = Read(configuration, SettingNames.BigQueryEndpoint, null);
        Uri? endpoint = null;
        if (endpointText is not null && !Uri.TryCreate(endpointText, UriKind.Absolute, out endpoint))
        {
            throw new InvalidOperationException(
                $"Setting '{SettingNames.BigQueryEndpoint}' must be an absolute URL, not '{endpointText}'.");
        }

        var project = Read(configuration, SettingNames.BigQueryProjectId, null);
        var dataset = Read(configuration, SettingNames.BigQueryDatasetId, null);
        if (sink == BigQuerySink && (project is null || dataset is null))
        {
            throw new InvalidOperationException(
                $"Sink 'bigquery' needs the settings '{SettingNames.BigQueryProjectId}' and '{SettingNames.BigQueryDatasetId}'.");
        }

        return new PipelineSettings(
            brokers,
            Read(configuration, SettingNames.TransactionsTopic, Defaults.TransactionsTopic)!,
            Read(configuration, SettingNames.DeadLetterTopic, Defaults.DeadLetterTopic)!,
            Read(configuration, SettingNames.ConsumerGroup, Defaults.ConsumerGroup)!,
            sink,
            Read(configuration, SettingNames.DuckDbPath, Defaults.DuckDbPath)!,
            port)
        {
            BigQueryProjectId = project,
            BigQueryDatasetId = dataset,
            BigQueryTableId = Read(configuration, SettingNames.BigQueryTableId, null),
            BigQueryEndpoint = endpoint,
        };
    }

    // Environment variables spell nesting with "__" (BigQuery__ProjectId) and configuration turns that into ":";
    // look the name up as configuration sees it.
    private static string? Read(IConfiguration configuration, string name, string? fallback)
    {
        var value = configuration[name.Replace("__", ":", StringComparison.Ordinal)] ?? configuration[name];
        return string.IsNullOrWhiteSpace(value) ? fallback : value.Trim();
    }
}
