namespace Ecommerce.Pipeline.Cli.Hosting;

/// <summary>The <c>--bigquery-*</c> options as given.</summary>
internal sealed record BigQuerySettings(string? Project, string? Dataset, string? Table, string? Endpoint);

/// <summary>Where <c>compact</c> and <c>retention</c> work in BigQuery, from the <c>--bigquery-*</c> options.</summary>
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
