using System.Globalization;

namespace Ecommerce.Pipeline.IntegrationTests.Support;

/// <summary>Reads the warehouse through the real <c>pipeline query --format csv</c>.</summary>
internal static class Warehouse
{
    public static async Task<IReadOnlyList<string[]>> QueryCsvAsync(string duckDbPath, string sql)
    {
        var (code, stdout, stderr) = await PipelineProcess.RunAsync(["query", "--duckdb", duckDbPath, "--format", "csv", sql],
            TimeSpan.FromSeconds(60));
        Assert.True(code == 0, $"query failed ({code}): {stderr}");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return [.. lines.Skip(1).Select(l => l.Split(','))];
    }

    public static async Task<long> ScalarAsync(string duckDbPath, string sql) =>
        long.Parse((await QueryCsvAsync(duckDbPath, sql))[0][0], CultureInfo.InvariantCulture);

    public static async Task<HashSet<string>> IdsAsync(string duckDbPath, string sql) =>
        [.. (await QueryCsvAsync(duckDbPath, sql)).Select(r => r[0])];
}
