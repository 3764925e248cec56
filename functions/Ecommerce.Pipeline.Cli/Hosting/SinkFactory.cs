using Ecommerce.Pipeline.BigQuery;
using Ecommerce.Pipeline.BigQuery.Rest;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.DuckDb;

namespace Ecommerce.Pipeline.Cli.Hosting;

/// <summary>Picks the warehouse named by <c>--sink</c> / <c>Sink</c>.</summary>
internal static class SinkFactory
{
    public static ITransactionSink Create(SinkOptions options) => options.Sink switch
    {
        "duckdb" => new DuckDbSink(options.DuckDbPath),
        "bigquery" => CreateBigQuery(options.BigQuery),
        var other => throw new UsageException($"--sink must be duckdb or bigquery, not '{other}'."),
    };

    /// <summary>
    /// Batches written side by side: BigQuery answers each insertAll after a network round trip, and overlapping
    /// batches hide it (measured +30% against a local stand-in, more against the real service's latency); DuckDB has
    /// one writer, so one batch at a time.
    /// </summary>
    public static int ConcurrentWrites(string sink) => sink == "bigquery" ? 4 : 1;

    private static BigQuerySink CreateBigQuery(BigQuerySettings? settings)
    {
        var target = BigQueryTarget.From(settings ?? new BigQuerySettings(null, null, null, null));
        var sinkOptions = new BigQuerySinkOptions { ProjectId = target.Project, DatasetId = target.Dataset, TableId = target.Table };
        try
        {
            // Startup checks the tables (and credentials) once, so a sink that cannot make progress exits 1 here.
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            return BigQuerySink.CreateAsync(sinkOptions, new BigQueryClientOptions { Endpoint = target.Endpoint }, timeout.Token)
                .GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is BigQueryException or SinkUnavailableException or HttpRequestException or OperationCanceledException
                                       || ex.GetType().Namespace?.StartsWith("Google.Apis", StringComparison.Ordinal) == true)
        {
            throw new RuntimeFailureException($"BigQuery: {ex.Message}");
        }
    }
}

internal sealed record SinkOptions(string Sink, string DuckDbPath, BigQuerySettings? BigQuery = null);

/// <summary>The <c>--bigquery-*</c> options as given.</summary>
internal sealed record BigQuerySettings(string? Project, string? Dataset, string? Table, string? Endpoint);

/// <summary>Where the sink, <c>compact</c> and <c>retention</c> work in BigQuery, from the <c>--bigquery-*</c> options.</summary>
internal sealed record BigQueryTarget(string Project, string Dataset, string Table, Uri? Endpoint)
{
    public static BigQueryTarget From(BigQuerySettings settings)
    {
        if (settings is not { Project: { Length: > 0 } project, Dataset: { Length: > 0 } dataset })
        {
            throw new UsageException("--sink bigquery needs --bigquery-project and --bigquery-dataset.");
        }

        Uri? endpoint = null;
        if (!string.IsNullOrEmpty(settings.Endpoint)
            && (!Uri.TryCreate(settings.Endpoint, UriKind.Absolute, out endpoint) || endpoint.Scheme is not ("http" or "https")))
        {
            throw new UsageException($"--bigquery-endpoint must be an http(s) URL, not '{settings.Endpoint}'.");
        }

        return new BigQueryTarget(project, dataset,
            string.IsNullOrEmpty(settings.Table) ? Core.Schema.PipelineSchema.TransactionsTable : settings.Table, endpoint);
    }
}

/// <summary>A failure the user can act on (exit 1, one clear message).</summary>
internal sealed class RuntimeFailureException(string message) : Exception(message);

/// <summary>Options that contradict each other (exit 2).</summary>
internal sealed class UsageException(string message) : Exception(message);
