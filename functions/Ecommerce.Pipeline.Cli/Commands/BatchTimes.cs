namespace Ecommerce.Pipeline.Cli.Commands;

/// <summary>
/// The median and 90th percentile of a window of batch write times, in ms. On a shared machine a few batches of a
/// window can take several times the others (another process held the cores), and a mean follows them; the median
/// does not, and the 90th percentile shows the tail apart from it.
/// </summary>
internal readonly record struct BatchTimes(double MedianMs, double P90Ms, int Count)
{
    public static readonly BatchTimes None = new(double.NaN, double.NaN, 0);

    /// <summary>Percentiles by linear interpolation between the closest ranks (numpy's default).</summary>
    public static BatchTimes Of(IEnumerable<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        return sorted.Length == 0 ? None : new BatchTimes(Percentile(sorted, 0.5), Percentile(sorted, 0.9), sorted.Length);
    }

    private static double Percentile(double[] sorted, double fraction)
    {
        var rank = fraction * (sorted.Length - 1);
        var below = (int)Math.Floor(rank);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (sorted[above] - sorted[below]) * (rank - below);
    }
}
