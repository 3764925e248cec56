namespace Ecommerce.Pipeline.IntegrationTests.Support;

/// <summary>A <c>pipeline broker</c> child process, and helpers every integration test needs around it.</summary>
internal sealed class Broker : IAsyncDisposable
{
    private Broker(PipelineProcess process, string bootstrapServers)
    {
        Process = process;
        BootstrapServers = bootstrapServers;
    }

    public PipelineProcess Process { get; }
    public string BootstrapServers { get; }

    public static async Task<Broker> StartAsync(int partitions = 6)
    {
        var process = PipelineProcess.Start(["broker", "--partitions", partitions.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var first = await process.WaitForLineAsync(_ => true, TimeSpan.FromSeconds(60));
        Assert.StartsWith("bootstrap.servers=", first, StringComparison.Ordinal);
        return new Broker(process, first["bootstrap.servers=".Length..]);
    }

    public async ValueTask DisposeAsync()
    {
        Process.Interrupt();
        await Process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await Process.DisposeAsync();
    }
}

internal static class Tools
{
    /// <summary>kcat, which CI installs; a test that needs it fails (never skips) without it.</summary>
    public static string Kcat => KafkaTestKit.FindOnPath("kcat")
        ?? throw new InvalidOperationException("kcat is not installed: apt-get install -y kcat (CI installs it in .ci/run).");
}
