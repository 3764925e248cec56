using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.DuckDb;

namespace Ecommerce.Pipeline.Cli.Hosting;

/// <summary>Picks the warehouse named by <c>--sink</c> / <c>Sink</c>.</summary>
internal static class SinkFactory
{
    public static ITransactionSink Create(SinkOptions options) => options.Sink switch
    {
        "duckdb" => new DuckDbSink(options.DuckDbPath),
        "bigquery" => throw new RuntimeFailureException(
            "the bigquery sink is not part of this build yet; use --sink duckdb"),
        var other => throw new UsageException($"--sink must be duckdb or bigquery, not '{other}'."),
    };
}

internal sealed record SinkOptions(string Sink, string DuckDbPath);

/// <summary>A failure the user can act on (exit 1, one clear message).</summary>
internal sealed class RuntimeFailureException(string message) : Exception(message);

/// <summary>Options that contradict each other (exit 2).</summary>
internal sealed class UsageException(string message) : Exception(message);
