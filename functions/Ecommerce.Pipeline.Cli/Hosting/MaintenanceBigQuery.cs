using Ecommerce.Pipeline.BigQuery.Maintenance;
using Ecommerce.Pipeline.BigQuery.Rest;
using Ecommerce.Pipeline.Core.Schema;

namespace Ecommerce.Pipeline.Cli.Hosting;

/// <summary>Where <c>compact</c> and <c>retention</c> work in BigQuery, from the <c>--bigquery-*</c> options.</summary>
internal sealed record MaintenanceTarget(string Project, string Dataset, string Table, Uri? Endpoint)
{
    public static MaintenanceTarget From(BigQuerySettings settings)
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

        return new MaintenanceTarget(project, dataset,
            string.IsNullOrEmpty(settings.Table) ? PipelineSchema.TransactionsTable : settings.Table, endpoint);
    }
}

/// <summary>Runs a maintenance step with a BigQuery client, turning its failures into one clear line (exit 1).</summary>
internal static class MaintenanceBigQuery
{
    public static async Task<T> RunAsync<T>(MaintenanceTarget target, Func<BigQueryClient, Task<T>> action,
        CancellationToken cancellationToken)
    {
        try
        {
            // With an endpoint (emulator, stand-in) no credentials; otherwise ADC, e.g. Workload Identity on GKE.
            using var client = await BigQueryClient.CreateAsync(new BigQueryClientOptions { Endpoint = target.Endpoint }, cancellationToken);
            return await action(client);
        }
        catch (MaintenanceRefusedException ex)
        {
            throw new RuntimeFailureException(ex.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new RuntimeFailureException("cancelled; a query job already started may still finish in BigQuery.");
        }
        catch (Exception ex) when (ex is BigQueryException or HttpRequestException or OperationCanceledException or ArgumentException
                                       || ex.GetType().Namespace?.StartsWith("Google.Apis", StringComparison.Ordinal) == true)
        {
            throw new RuntimeFailureException($"BigQuery: {ex.Message}");
        }
    }
}
