using Ecommerce.Pipeline.Cli.Commands;

namespace Ecommerce.Pipeline.Cli.Tests.Bench;

/// <summary>
/// The scale bench's reading of batch times: windows before each checkpoint, each batch paired with one into a fresh
/// reference table, summarised by median and 90th percentile so a few slow batches do not pass for growth.
/// </summary>
public sealed class ScaleBenchTests
{
    [Fact]
    public void The_median_and_p90_interpolate_between_ranks()
    {
        var times = BatchTimes.Of([10, 1, 9, 2, 8, 3, 7, 4, 6, 5]);

        Assert.Equal(5.5, times.MedianMs, 9);
        Assert.Equal(9.1, times.P90Ms, 9);
        Assert.Equal(10, times.Count);
    }

    [Fact]
    public void Two_slow_batches_in_a_window_of_twenty_leave_the_median_where_the_others_are()
    {
        // Two batches that waited for the cores (500 and 600 ms) move a mean of twenty from 10 to 64 ms.
        double[] window = [.. Enumerable.Repeat(10.0, 18), 500, 600];

        var times = BatchTimes.Of(window);

        Assert.Equal(10, times.MedianMs, 9);
        Assert.True(times.P90Ms > 10, "the p90 shows the tail");
        Assert.True(double.IsNaN(BatchTimes.Of([]).MedianMs));
    }

    [Fact]
    public void Each_window_holds_the_batches_before_its_checkpoint_and_none_of_the_previous_one()
    {
        Assert.Equal([900_000L, 4_900_000L, 9_900_000L, 19_900_000L],
            ScaleBench.WindowStartsFor(ScaleBench.CheckpointsFor(20_000_000)));
        // Checkpoints closer than a window: each window starts at the previous checkpoint.
        Assert.Equal([0L, 10_000L, 50_000L, 100_000L], ScaleBench.WindowStartsFor(ScaleBench.CheckpointsFor(200_000)));
    }

    [Fact]
    public async Task A_run_pairs_every_timed_batch_with_a_reference_batch_and_leaves_no_reference_file()
    {
        using var dir = new TempDir();
        var path = dir.File("scale.duckdb");

        var result = await ScaleBench.RunAsync(100_000, path, "64MB", TextWriter.Null, CancellationToken.None);

        Assert.Equal(100_000, result.Rows);
        Assert.Equal(ScaleBench.Window, result.EmptyTable.Count);
        Assert.Equal([5_000L, 25_000L, 50_000L, 100_000L], result.Checkpoints.Select(c => c.Rows));
        // The windows: 0–5k, 5k–25k, 25k–50k, 50k–100k, in batches of 5,000; each with as many reference batches.
        Assert.Equal([1, 4, 5, 10], result.Checkpoints.Select(c => c.Batch.Count));
        Assert.Equal([1, 4, 5, 10], result.Checkpoints.Select(c => c.Reference.Count));
        Assert.All(result.Checkpoints, c => Assert.True(c.Reference.MedianMs > 0 && c.LiveManagedMb > 0));
        Assert.DoesNotContain(Directory.GetFiles(dir.Path), f => f.Contains("reference", StringComparison.Ordinal));
        Assert.True(result.ReopenMs > 0);
    }
}
