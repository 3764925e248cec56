using Ecommerce.Pipeline.Cli.Autoscaling;

namespace Ecommerce.Pipeline.Cli.Tests.Autoscaling;

/// <summary>Builds simulator inputs for the tests: KEDA's defaults unless a test says otherwise.</summary>
internal static class Scenario
{
    public static ScaledObjectSettings ScaledObject(
        long lagThreshold = 10,
        long activation = 0,
        int min = 0,
        int max = 100,
        int polling = 30,
        int cooldown = 300,
        bool allowIdle = false,
        HpaBehavior? behavior = null) =>
        new("test", polling, cooldown, min, max, new KafkaTriggerSettings(lagThreshold, activation, allowIdle), behavior ?? HpaBehavior.Default);

    public static LoadProfile Profile(string text) =>
        LoadProfile.TryParse(text, out var profile, out var error) ? profile! : throw new ArgumentException(error);

    public static SimulationResult Run(ScaledObjectSettings so, string profile, int partitions = 12, long throughput = 10_000, long startupMs = 15_000) =>
        AutoscaleSimulation.Run(new SimulationOptions(so, Profile(profile), partitions, throughput, startupMs));

    public static SimulationSample At(this SimulationResult result, double seconds) =>
        result.Samples.Single(s => s.TimeMs == (long)Math.Round(seconds * 1000));

    public static string RepoRoot() => Repository.Root;

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Autoscaling", "Fixtures", name);
}
