using System.Globalization;
using System.Text.Json;
using Ecommerce.Pipeline.Cli.Autoscaling;

namespace Ecommerce.Pipeline.Cli.Tests.Autoscaling;

/// <summary>The verb as users run it: the built <c>pipeline</c> as a child process, its stdout, stderr and exit code.</summary>
[Trait("Category", "Integration")]
public sealed class AutoscaleSimVerbTests
{
    private static Task<(int ExitCode, string Stdout, string Stderr)> RunPipelineAsync(params string[] args) =>
        PipelineProcess.RunAsync(["autoscale-sim", .. args], TimeSpan.FromMinutes(2));

    [Fact]
    public async Task Csv_output_is_a_header_then_one_parsable_row_per_step()
    {
        var (exit, stdout, stderr) = await RunPipelineAsync(
            "--scaledobject", Scenario.Fixture("scaledobject-full.yaml"), "--profile", "833:1m,833->20000:30s,20000:2m,833:2m",
            "--step", "15s", "--format", "csv");

        Assert.True(exit == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(SimulationReport.CsvHeader, lines[0]);

        // 5.5 minutes every 15 s, both ends included.
        Assert.Equal(23, lines.Length - 1);
        var rows = lines[1..].Select(l => l.Split(',')).ToList();
        Assert.All(rows, r => Assert.Equal(7, r.Length));
        Assert.Equal(Enumerable.Range(0, 23).Select(i => i * 15.0), rows.Select(r => double.Parse(r[0], CultureInfo.InvariantCulture)));

        var desired = rows.Select(r => int.Parse(r[3], CultureInfo.InvariantCulture)).ToList();
        Assert.All(desired, d => Assert.InRange(d, 1, 12));
        Assert.True(desired.Max() > 1, "the 20,000/s peak should scale the deployment out");
        Assert.Contains(rows, r => long.Parse(r[4], CultureInfo.InvariantCulture) > 0);
        Assert.StartsWith("summary: max lag ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_output_carries_the_samples_and_the_summary()
    {
        var (exit, stdout, stderr) = await RunPipelineAsync(
            "--scaledobject", Scenario.Fixture("scaledobject-minimal.yaml"), "--profile", "100:1m", "--step", "30s", "--format", "json",
            "--partitions", "3", "--replica-throughput", "1000", "--startup", "0s");

        Assert.True(exit == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(3, json.RootElement.GetProperty("samples").GetArrayLength());
        Assert.Equal(10, json.RootElement.GetProperty("scaledObject").GetProperty("lagThreshold").GetInt64());
        // Activated at the 30 s poll; the HPA at once asks for the capped 3 partitions × 10 / 10 = 3.
        Assert.Equal(3, json.RootElement.GetProperty("summary").GetProperty("maxReplicas").GetInt32());
    }

    [Fact]
    public async Task Table_output_ends_with_the_summary()
    {
        var (exit, stdout, stderr) = await RunPipelineAsync(
            "--scaledobject", Scenario.Fixture("scaledobject-full.yaml"), "--profile", "833:1m", "--step", "30s");

        Assert.True(exit == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("ScaledObject fixture-processor", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("summary: ", lines[^1], StringComparison.Ordinal);
        Assert.Equal(3 + 3 + 1, lines.Length);
    }

    [Theory]
    [InlineData("--profile", "fast:1m")]
    [InlineData("--profile", "100:soon")]
    [InlineData("--format", "xml")]
    [InlineData("--step", "150ms")]
    [InlineData("--partitions", "0")]
    [InlineData("--scaledobject", "no/such/scaledobject.yaml")]
    public async Task Usage_errors_exit_2_with_one_line(string option, string value)
    {
        var (exit, stdout, stderr) = await RunPipelineAsync(option, value);

        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("pipeline: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unusable_scaled_object_exits_1_with_the_reason()
    {
        var path = Path.Combine(Path.GetTempPath(), $"so-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, "kind: ScaledObject\nspec:\n  triggers:\n    - type: cpu\n");
        try
        {
            var (exit, _, stderr) = await RunPipelineAsync("--scaledobject", path);

            Assert.Equal(1, exit);
            Assert.Equal($"pipeline: error: {path}: spec.triggers has no trigger of type kafka", stderr.Trim());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
