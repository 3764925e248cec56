namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>A fresh stand-in for each test; every test ends with the stand-in having seen no contract violation.</summary>
public abstract class StandInTests : IAsyncLifetime
{
    internal BigQueryStandIn StandIn { get; private set; } = null!;

    public async Task InitializeAsync() => StandIn = await BigQueryStandIn.StartAsync();

    public async Task DisposeAsync()
    {
        Assert.Empty(StandIn.ContractViolations);
        await StandIn.DisposeAsync();
    }
}
