namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>Fresh REST and Storage Write stand-ins for each test; every test ends with neither having seen a contract violation.</summary>
public abstract class StorageWriteStandInPair : IAsyncLifetime
{
    internal BigQueryStandIn Rest { get; private set; } = null!;
    internal StorageWriteStandIn Write { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Rest = await BigQueryStandIn.StartAsync();
        Write = await StorageWriteStandIn.StartAsync(Rest);
    }

    public async Task DisposeAsync()
    {
        Assert.Empty(Write.ContractViolations);
        Assert.Empty(Rest.ContractViolations);
        await Write.DisposeAsync();
        await Rest.DisposeAsync();
    }
}
