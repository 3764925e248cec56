using Ecommerce.Pipeline.BigQuery.StorageWrite;
using Ecommerce.Pipeline.Hosting;

namespace Ecommerce.Pipeline.Cli.Hosting;

/// <summary>Where <c>compact</c> and <c>retention</c> work in BigQuery.</summary>
internal sealed record BigQueryTarget(string Project, string Dataset, string Table, Uri? Endpoint)
{
    /// <summary>How rows reach the table (<c>BigQuery__WriteApi</c>); decides compaction's streaming-buffer rule.</summary>
    public WriteApi WriteApi { get; init; } = WriteApi.Storage;

    /// <summary>From settings read with <c>Sink=bigquery</c>, which guarantees project and dataset.</summary>
    public static BigQueryTarget From(WarehouseSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new BigQueryTarget(settings.BigQueryProjectId!, settings.BigQueryDatasetId!, settings.BigQueryTable,
            settings.BigQueryEndpoint) { WriteApi = settings.BigQueryWriteApi };
    }
}
