namespace Ecommerce.Pipeline.Workload.Shop;

/// <summary>
/// Weighted choices and a normal deviate on the generator's one <see cref="Random"/>. Every part of the workload
/// draws from that same instance, in a fixed order, which is what makes the output a function of the seed.
/// </summary>
internal static class Draws
{
    /// <summary>Turns relative weights into a cumulative distribution ending at 1, for <see cref="Pick"/>.</summary>
    public static double[] Cumulative(IEnumerable<double> weights)
    {
        var array = weights.ToArray();
        var total = array.Sum();
        var running = 0.0;
        for (var i = 0; i < array.Length; i++)
        {
            running += array[i];
            array[i] = running / total;
        }

        return array;
    }

    /// <summary>An index drawn with the probabilities of <paramref name="cdf"/> (one draw).</summary>
    public static int Pick(this Random rng, double[] cdf)
    {
        var r = rng.NextDouble();
        for (var i = 0; i < cdf.Length - 1; i++)
        {
            if (r < cdf[i])
            {
                return i;
            }
        }

        return cdf.Length - 1;
    }

    /// <summary>A standard normal deviate (two draws).</summary>
    public static double NextGaussian(this Random rng)
    {
        // Box–Muller; 1 - U avoids log(0).
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
