using System.Globalization;
using System.Text.RegularExpressions;
using Ecommerce.Pipeline.BigQuery.Rest;
using Ecommerce.Pipeline.BigQuery.StorageWrite;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Core.Schema;
using Microsoft.Extensions.Configuration;

namespace Ecommerce.Pipeline.Hosting;

/// <summary>
/// The warehouse part of the settings (docs/contract.md, Settings): <c>Sink</c>, <c>DuckDbPath</c>,
/// <c>DuckDbMemoryLimit</c> and <c>BigQuery__*</c>. Part of <see cref="PipelineSettings"/>, and on its own for the
/// maintenance verbs, which talk to no Kafka; the same rules and error texts either way.
/// </summary>
public sealed partial record WarehouseSettings(SinkKind Sink, string DuckDbPath)
{
    /// <summary><c>DuckDbMemoryLimit</c>: DuckDB's <c>memory_limit</c> for the sink's file, e.g. <c>256MB</c> or <c>1GiB</c>.</summary>
    public string DuckDbMemoryLimit { get; init; } = Defaults.DuckDbMemoryLimit;

    /// <summary><c>BigQuery__ProjectId</c>; required when <see cref="Sink"/> is <c>bigquery</c>.</summary>
    public string? BigQueryProjectId { get; init; }

    /// <summary><c>BigQuery__DatasetId</c>; required when <see cref="Sink"/> is <c>bigquery</c>.</summary>
    public string? BigQueryDatasetId { get; init; }

    /// <summary><c>BigQuery__TableId</c>; default <c>transactions</c>.</summary>
    public string? BigQueryTableId { get; init; }

    /// <summary><c>BigQuery__Endpoint</c>: an emulator, stand-in or proxy instead of the real service.</summary>
    public Uri? BigQueryEndpoint { get; init; }

    /// <summary>
    /// <c>BigQuery__Credentials</c>: <c>auto</c> (default; Application Default Credentials unless
    /// <see cref="BigQueryEndpoint"/> is set), <c>adc</c> or <c>none</c>.
    /// </summary>
    public BigQueryCredentialMode BigQueryCredentials { get; init; }
    /// <summary><c>BigQuery__WriteApi</c>: <c>storage</c> (the Storage Write API, the default) or <c>insertall</c>.</summary>
    public WriteApi BigQueryWriteApi { get; init; } = WriteApi.Storage;

    /// <summary><c>BigQuery__Delivery</c> of the Storage Write API: <c>exactly-once</c> (the default) or <c>at-least-once</c>.</summary>
    public DeliveryGuarantee BigQueryDelivery { get; init; } = DeliveryGuarantee.ExactlyOnce;

    /// <summary><c>BigQuery__StorageEndpoint</c>: a Storage Write API stand-in (plaintext HTTP/2 with http); no credentials.</summary>
    public Uri? BigQueryStorageEndpoint { get; init; }

    /// <summary>
    /// <c>BigQuery__WatermarkTrust</c>, in seconds (default 5): with exactly-once on a host that reports no partition
    /// assignments (the function app), how long after a partition's acknowledged batch its next, contiguous batch is
    /// written without reading the watermark again; 0 reads it before every batch (docs/exactly-once.md).
    /// </summary>
    public TimeSpan BigQueryWatermarkTrust { get; init; } = StorageWriteOptions.DefaultWatermarkTrust;

    /// <summary>The transactions table in BigQuery: <see cref="BigQueryTableId"/> or the schema's name.</summary>
    public string BigQueryTable => BigQueryTableId ?? PipelineSchema.TransactionsTable;

    /// <exception cref="InvalidOperationException">
    /// A value is not allowed, or <c>Sink=bigquery</c> lacks its project or dataset. The message names settings as
    /// <c>'Name'</c> (the subject as <c>Setting 'Name'</c>), so a host with other names for them (the CLI's options)
    /// can say the same thing in its own words.
    /// </exception>
    public static WarehouseSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var sinkText = SettingReader.Read(configuration, SettingNames.Sink);
        var sink = Defaults.Sink;
        if (sinkText is not null && !SinkKinds.TryParse(sinkText, out sink))
        {
            throw new InvalidOperationException(
                $"Setting '{SettingNames.Sink}' must be '{SinkKinds.DuckDbName}' or '{SinkKinds.BigQueryName}', not '{sinkText}'.");
        }

        var endpoint = ReadUrl(configuration, SettingNames.BigQueryEndpoint);
        var storageEndpoint = ReadUrl(configuration, SettingNames.BigQueryStorageEndpoint);
        var writeApiText = SettingReader.Read(configuration, SettingNames.BigQueryWriteApi);
        var writeApi = WriteApi.Storage;
        if (writeApiText is not null && !BigQueryWriteNames.TryParse(writeApiText, out writeApi))
        {
            throw new InvalidOperationException(
                $"Setting '{SettingNames.BigQueryWriteApi}' must be '{BigQueryWriteNames.Storage}' or '{BigQueryWriteNames.InsertAll}', not '{writeApiText}'.");
        }

        var deliveryText = SettingReader.Read(configuration, SettingNames.BigQueryDelivery);
        var delivery = DeliveryGuarantee.ExactlyOnce;
        if (deliveryText is not null && !BigQueryWriteNames.TryParse(deliveryText, out delivery))
        {
            throw new InvalidOperationException(
                $"Setting '{SettingNames.BigQueryDelivery}' must be '{BigQueryWriteNames.ExactlyOnce}' or '{BigQueryWriteNames.AtLeastOnce}', not '{deliveryText}'.");
        }

        var credentialsText = SettingReader.Read(configuration, SettingNames.BigQueryCredentials);
        var credentials = BigQueryCredentialMode.Auto;
        if (credentialsText is not null && !BigQueryCredentialModes.TryParse(credentialsText, out credentials))
        {
            throw new InvalidOperationException(
                $"Setting '{SettingNames.BigQueryCredentials}' must be '{BigQueryCredentialModes.AutoName}', " +
                $"'{BigQueryCredentialModes.ApplicationDefaultName}' or '{BigQueryCredentialModes.NoneName}', not '{credentialsText}'.");
        }

        var trustText = SettingReader.Read(configuration, SettingNames.BigQueryWatermarkTrust);
        var trust = StorageWriteOptions.DefaultWatermarkTrust;
        if (trustText is not null)
        {
            if (!double.TryParse(trustText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
                || seconds > MaxWatermarkTrustSeconds)
            {
                throw new InvalidOperationException(
                    $"Setting '{SettingNames.BigQueryWatermarkTrust}' must be a number of seconds from 0 to {MaxWatermarkTrustSeconds} " +
                    $"(0 reads the watermark before every batch), such as 5, not '{trustText}'.");
            }

            trust = TimeSpan.FromSeconds(seconds);
        }

        var project = SettingReader.Read(configuration, SettingNames.BigQueryProjectId);
        var dataset = SettingReader.Read(configuration, SettingNames.BigQueryDatasetId);
        if (sink == SinkKind.BigQuery && (project is null || dataset is null))
        {
            throw new InvalidOperationException(
                $"Setting '{SettingNames.Sink}' is '{SinkKinds.BigQueryName}', which needs the settings " +
                $"'{SettingNames.BigQueryProjectId}' and '{SettingNames.BigQueryDatasetId}'.");
        }

        // DuckDB's memory_limit takes a number and a unit (https://duckdb.org/docs/stable/configuration/overview:
        // SET memory_limit = '10GB'); checked here so a typo stops the host at start with the setting's name.
        var memoryLimit = SettingReader.Read(configuration, SettingNames.DuckDbMemoryLimit) ?? Defaults.DuckDbMemoryLimit;
        if (!MemorySize().IsMatch(memoryLimit))
        {
            throw new InvalidOperationException(
                $"Setting '{SettingNames.DuckDbMemoryLimit}' must be a size with a unit (KB, MB, GB, KiB, MiB, GiB), such as 256MB, not '{memoryLimit}'.");
        }

        return new WarehouseSettings(sink, DuckDbPathFrom(configuration))
        {
            DuckDbMemoryLimit = memoryLimit,
            BigQueryProjectId = project,
            BigQueryDatasetId = dataset,
            BigQueryTableId = SettingReader.Read(configuration, SettingNames.BigQueryTableId),
            BigQueryEndpoint = endpoint,
            BigQueryCredentials = credentials,
            BigQueryWriteApi = writeApi,
            BigQueryDelivery = delivery,
            BigQueryStorageEndpoint = storageEndpoint,
            BigQueryWatermarkTrust = trust,
        };
    }

    /// <summary>
    /// For the verbs that write rows: with the Storage Write API, both BigQuery endpoints are overridden or neither,
    /// so a run against stand-ins never sends half its traffic to Google with the machine's credentials.
    /// </summary>
    /// <exception cref="InvalidOperationException">Only one of the two endpoints is set.</exception>
    public void CheckWriteEndpoints()
    {
        if (Sink != SinkKind.BigQuery || BigQueryWriteApi != WriteApi.Storage
            || (BigQueryEndpoint is null) == (BigQueryStorageEndpoint is null))
        {
            return;
        }

        var (given, missing) = BigQueryEndpoint is not null
            ? (SettingNames.BigQueryEndpoint, SettingNames.BigQueryStorageEndpoint)
            : (SettingNames.BigQueryStorageEndpoint, SettingNames.BigQueryEndpoint);
        throw new InvalidOperationException(
            $"Setting '{given}' is set but '{missing}' is not: with '{SettingNames.BigQueryWriteApi}' " +
            $"'{BigQueryWriteNames.Storage}' rows go through the Storage Write API and tables through the REST API, so " +
            $"override both endpoints (or set '{SettingNames.BigQueryWriteApi}' to '{BigQueryWriteNames.InsertAll}').");
    }

    // An endpoint override: http (plaintext, for the Storage Write API HTTP/2 without TLS) or https.
    private static Uri? ReadUrl(IConfiguration configuration, string name)
    {
        var text = SettingReader.Read(configuration, name);
        if (text is not null
            && (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")))
        {
            throw new InvalidOperationException($"Setting '{name}' must be an http(s) URL, not '{text}'.");
        }

        return text is null ? null : new Uri(text, UriKind.Absolute);
    }

    /// <summary>
    /// <c>DuckDbPath</c> alone, for the verbs that only read the DuckDB file (<c>query</c>, <c>report</c>): they must
    /// not fail on a <c>Sink</c> or <c>BigQuery__*</c> setting they never use.
    /// </summary>
    public static string DuckDbPathFrom(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return SettingReader.Read(configuration, SettingNames.DuckDbPath) ?? Defaults.DuckDbPath;
    }

    /// <summary>
    /// The largest trust window accepted: librdkafka's longest default session timeout (45 s since v1.7.0). The window
    /// must stay below the consumer's actual session timeout, 10 s with the Kafka extension's default.
    /// </summary>
    private const int MaxWatermarkTrustSeconds = 45;

    [GeneratedRegex(@"^[0-9]+(\.[0-9]+)? ?([KMGT]i?B)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MemorySize();
}

/// <summary>How every setting is looked up.</summary>
internal static class SettingReader
{
    // Environment variables spell nesting with "__" (BigQuery__ProjectId) and configuration turns that into ":";
    // look the name up as configuration sees it. Blank counts as not set.
    public static string? Read(IConfiguration configuration, string name)
    {
        var value = configuration[name.Replace("__", ":", StringComparison.Ordinal)] ?? configuration[name];
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }
}
