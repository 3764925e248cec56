using System.Globalization;
using Ecommerce.Pipeline.BigQuery.Rest;

namespace Ecommerce.Pipeline.BigQuery.Maintenance;

/// <summary>One table's partition expiration against the retention window.</summary>
/// <param name="Table">project.dataset.table.</param>
/// <param name="ExpirationMs">timePartitioning.expirationMs as found (null: partitions never expire).</param>
/// <param name="ExpectedMs">days × 86,400,000.</param>
/// <param name="Updated">tables.patch set it to <paramref name="ExpectedMs"/>.</param>
public sealed record RetentionCheck(string Table, long? ExpirationMs, long ExpectedMs, bool Updated)
{
    public bool Matches => ExpirationMs == ExpectedMs;
}

/// <summary>
/// <c>pipeline retention</c> on BigQuery: partitions are deleted by BigQuery itself (partition expiration), so this
/// verifies <c>timePartitioning.expirationMs</c> of each table against the window and, when asked, sets it with
/// <c>tables.patch</c> (sending type and field unchanged; only the expiration changes). The expiration counts from
/// the partition's boundary, the end of its UTC day: "with daily partitioning, the partition boundary is at midnight
/// (00:00:00 UTC). If the table's partition expiration is 6 hours, then each partition expires at 06:00:00 UTC the
/// following day" (https://cloud.google.com/bigquery/docs/managing-partitioned-tables#partition-expiration). The API
/// reference's shorter "partition time plus this value" (TimePartitioning.expirationMs) does not say which boundary;
/// the worked example does. So N days keep today and the N days before it.
/// </summary>
public sealed class BigQueryRetention(BigQueryClient client, string projectId, string datasetId)
{
    private const long MillisecondsPerDay = 86_400_000;

    public static long ExpectedMs(int days)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        return days * MillisecondsPerDay;
    }

    /// <summary>Reads each table; with <paramref name="apply"/>, patches those that differ and reads the result back.</summary>
    /// <exception cref="MaintenanceRefusedException">A table is missing or not time-partitioned, or a patch did not take.</exception>
    /// <exception cref="BigQueryException">BigQuery refused a call.</exception>
    public async Task<IReadOnlyList<RetentionCheck>> CheckAsync(IEnumerable<string> tableIds, int days, bool apply,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tableIds);
        var expected = ExpectedMs(days);
        var checks = new List<RetentionCheck>();
        foreach (var tableId in tableIds)
        {
            var name = BigQueryCompaction.QualifiedName(projectId, datasetId, tableId);
            var table = await client.GetTableAsync(projectId, datasetId, tableId, cancellationToken).ConfigureAwait(false)
                ?? throw new MaintenanceRefusedException($"BigQuery table {name} not found.");
            var partitioning = table.TimePartitioning
                ?? throw new MaintenanceRefusedException(
                    $"BigQuery table {name} is not time-partitioned, so partitions cannot expire; recreate it from infra/bigquery.");
            var current = ParseMs(partitioning.ExpirationMs, name);
            if (current == expected || !apply)
            {
                checks.Add(new RetentionCheck(name, current, expected, false));
                continue;
            }

            var patched = await client.PatchTableAsync(projectId, datasetId, tableId, new TableResource
            {
                TimePartitioning = new TimePartitioning
                {
                    // Partitioning type and column cannot change; sent as they are so the patch reads as intended.
                    Type = partitioning.Type ?? "DAY",
                    Field = partitioning.Field,
                    ExpirationMs = expected.ToString(CultureInfo.InvariantCulture),
                },
            }, cancellationToken).ConfigureAwait(false);
            var now = ParseMs(patched.TimePartitioning?.ExpirationMs, name);
            if (now != expected)
            {
                throw new MaintenanceRefusedException(string.Create(CultureInfo.InvariantCulture,
                    $"tables.patch on {name} answered expirationMs={Show(now)}, not {expected}."));
            }

            checks.Add(new RetentionCheck(name, current, expected, true));
        }

        return checks;
    }

    public static string Show(long? expirationMs) =>
        expirationMs?.ToString(CultureInfo.InvariantCulture) ?? "none";

    private static long? ParseMs(string? value, string table) =>
        value is null ? null
        : long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms
        : throw new MaintenanceRefusedException($"BigQuery table {table} has an unreadable timePartitioning.expirationMs '{value}'.");
}
