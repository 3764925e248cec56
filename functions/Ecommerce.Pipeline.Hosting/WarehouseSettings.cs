using System.Text.RegularExpressions;
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

    /// <summary><c>BigQuery__Endpoint</c>: an emulator or stand-in; when set, no credentials are used.</summary>
    public Uri? BigQueryEndpoint { get; init; }

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

        var endpointText = SettingReader.Read(configuration, SettingNames.BigQueryEndpoint);
        Uri? endpoint = null;
        if (endpointText is not null
            && (!Uri.TryCreate(endpointText, UriKind.Absolute, out endpoint) || endpoint.Scheme is not ("http" or "https")))
        {
            throw new InvalidOperationException(
                $"Setting '{SettingNames.BigQueryEndpoint}' must be an http(s) URL, not '{endpointText}'.");
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
        };
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
