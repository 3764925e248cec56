using Ecommerce.Pipeline.BigQuery.Maintenance;
using Ecommerce.Pipeline.BigQuery.Rest;
using static Ecommerce.Pipeline.BigQuery.Tests.Maintenance.MaintenanceFixtures;

namespace Ecommerce.Pipeline.BigQuery.Tests.Maintenance;

/// <summary>Partition expiration: tables.get on both tables, tables.patch only when asked; bodies validate against the discovery document.</summary>
public sealed class RetentionTests : IAsyncLifetime, IDisposable
{
    private static readonly string[] BothTables = ["transactions", "dead_letters"];
    private BigQueryStandIn _standIn = null!;
    private BigQueryClient _client = null!;

    public async Task InitializeAsync()
    {
        _standIn = await BigQueryStandIn.StartAsync();
        _client = new BigQueryClient(new HttpClient(), TestData.ClientOptions(_standIn.Endpoint), tokens: null, ownsHttp: true);
        _standIn.Tables["ds.transactions"] = Transactions();
        _standIn.Tables["ds.dead_letters"] = DeadLetters(expirationMs: null);
    }

    public void Dispose() => _client.Dispose();

    public async Task DisposeAsync()
    {
        Assert.Empty(_standIn.ContractViolations);
        await _standIn.DisposeAsync();
    }

    private BigQueryRetention Retention() => new(_client, "proj", "ds");

    [Fact]
    public async Task Without_apply_it_reports_each_table_and_changes_nothing()
    {
        var checks = await Retention().CheckAsync(BothTables, 7, apply: false, CancellationToken.None);

        Assert.Equal([("proj.ds.transactions", (long?)604_800_000L, true), ("proj.ds.dead_letters", null, false)],
            checks.Select(c => (c.Table, c.ExpirationMs, c.Matches)));
        Assert.All(checks, c => Assert.Equal(604_800_000L, c.ExpectedMs));
        Assert.Equal(["bigquery.tables.get", "bigquery.tables.get"], _standIn.Requests.Select(r => r.MethodId));
    }

    [Fact]
    public async Task Apply_patches_only_the_expiration_keeping_type_and_field()
    {
        var checks = await Retention().CheckAsync(BothTables, 3, apply: true, CancellationToken.None);

        Assert.All(checks, c => Assert.True(c.Updated));
        var patches = _standIn.Requests.Where(r => r.MethodId == "bigquery.tables.patch").ToList();
        Assert.Equal(["/bigquery/v2/projects/proj/datasets/ds/tables/transactions", "/bigquery/v2/projects/proj/datasets/ds/tables/dead_letters"],
            patches.Select(p => p.Path));
        Assert.All(patches, p => Assert.Empty(DiscoveryDocument.Default.Validate(p.Json, "Table")));
        Assert.Equal("""{"timePartitioning":{"type":"DAY","field":"failed_at","expirationMs":"259200000"}}""", patches[1].Text);
        Assert.Equal("259200000", _standIn.Tables["ds.dead_letters"]["timePartitioning"]!["expirationMs"]!.GetValue<string>());
        Assert.Equal("failed_at", _standIn.Tables["ds.dead_letters"]["timePartitioning"]!["field"]!.GetValue<string>());
        Assert.True(_standIn.Tables["ds.dead_letters"]["requirePartitionFilter"]!.GetValue<bool>());

        var again = await Retention().CheckAsync(BothTables, 3, apply: true, CancellationToken.None);
        Assert.All(again, c => Assert.True(c.Matches && !c.Updated));
        Assert.Equal(2, _standIn.Requests.Count(r => r.MethodId == "bigquery.tables.patch"));
    }

    [Fact]
    public async Task A_missing_or_unpartitioned_table_is_a_refusal()
    {
        _standIn.Tables.TryRemove("ds.dead_letters", out _);
        var missing = await Assert.ThrowsAsync<MaintenanceRefusedException>(() => Retention().CheckAsync(BothTables, 7, apply: true, CancellationToken.None));
        Assert.Equal("BigQuery table proj.ds.dead_letters not found.", missing.Message);

        _standIn.Tables["ds.transactions"].AsObject().Remove("timePartitioning");
        var flat = await Assert.ThrowsAsync<MaintenanceRefusedException>(() => Retention().CheckAsync(BothTables, 7, apply: true, CancellationToken.None));
        Assert.StartsWith("BigQuery table proj.ds.transactions is not time-partitioned", flat.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_standIn.Requests, r => r.MethodId == "bigquery.tables.patch");
    }
}
