using System.Reflection;

namespace Ecommerce.Pipeline.FunctionsHost.StandIn;

/// <summary>The built function app, as the Functions host finds it.</summary>
public static class FunctionsApp
{
    /// <summary>The folder the Worker SDK built the app into (functions.metadata, worker.config.json, host.json).</summary>
    public static string Output() =>
        typeof(FunctionsApp).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "FunctionsAppOutput").Value!;
}
