namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>Fresh stand-ins (REST and Storage Write, sharing tables) per test, checked for contract violations after it.</summary>
public abstract class BothStandInsTest : IAsyncLifetime
{
    private protected StorageWrite.StorageSinkKit StandIns { get; private set; } = null!;

    public async Task InitializeAsync() => StandIns = await StorageWrite.StorageSinkKit.StartAsync();

    public async Task DisposeAsync()
    {
        StoredRows.AssertNoContractViolations(StandIns);
        await StandIns.DisposeAsync();
    }
}
