using System.Globalization;

namespace Ecommerce.Pipeline.TestSupport;

/// <summary>
/// Response times drawn from a log-normal distribution (service latencies are right-skewed: most answers near the
/// median, a long tail): <c>median × e^(σ·Z)</c> with Z standard normal. Seeded, so a run can be repeated.
/// </summary>
public sealed class LogNormalLatency(TimeSpan median, double sigma, int seed = 1)
{
    private readonly Random _random = new(seed);
    private readonly Lock _gate = new();

    public TimeSpan Median { get; } = median;
    public double Sigma { get; } = sigma;

    public TimeSpan Next()
    {
        double u1, u2;
        lock (_gate)
        {
            u1 = 1.0 - _random.NextDouble(); // (0, 1]: the log below stays finite
            u2 = _random.NextDouble();
        }

        // Box–Muller: one standard normal from two uniforms.
        var z = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        return TimeSpan.FromTicks((long)(Median.Ticks * Math.Exp(Sigma * z)));
    }

    /// <summary>Parses <c>lognormal:MEDIAN_MS[:SIGMA]</c> (σ defaults to 0.5); null for anything else.</summary>
    public static LogNormalLatency? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(':');
        if (parts is not ["lognormal", var median, ..] || parts.Length > 3)
        {
            return null;
        }

        var sigma = parts.Length == 3 ? double.Parse(parts[2], CultureInfo.InvariantCulture) : 0.5;
        return new LogNormalLatency(TimeSpan.FromMilliseconds(double.Parse(median, CultureInfo.InvariantCulture)), sigma);
    }
}
