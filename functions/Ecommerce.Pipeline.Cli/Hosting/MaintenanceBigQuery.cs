using Ecommerce.Pipeline.BigQuery.Maintenance;
using Ecommerce.Pipeline.BigQuery.Rest;

namespace Ecommerce.Pipeline.Cli.Hosting;

/// <summary>Runs a maintenance step with a BigQuery client, turning its failures into one clear line (exit 1).</summary>
internal static class MaintenanceBigQuery
{
    public static async Task<T> RunAsync<T>(BigQueryTarget target, Func<BigQueryClient, Task<T>> action,
        CancellationToken cancellationToken)
    {
        try
        {
            // ADC (e.g. Workload Identity on GKE) unless BigQuery__Credentials or an endpoint override (auto) say none.
            var options = new BigQueryClientOptions { Endpoint = target.Endpoint, Credentials = target.Credentials };
            using var client = await BigQueryClient.CreateAsync(options, cancellationToken);
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
        // Credential failures arrive as BigQueryException too: the adapter wraps Google's types where they arise.
        catch (Exception ex) when (ex is BigQueryException or HttpRequestException or OperationCanceledException or ArgumentException)
        {
            throw new RuntimeFailureException($"BigQuery: {ex.Message}");
        }
    }
}
