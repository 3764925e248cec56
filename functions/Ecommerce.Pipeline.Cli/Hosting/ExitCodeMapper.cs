using Confluent.Kafka;
using Ecommerce.Pipeline.BigQuery.Rest;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.DuckDb;
using Ecommerce.Pipeline.Kafka.Consuming;

namespace Ecommerce.Pipeline.Cli.Hosting;

/// <summary>
/// Maps failures to the exit codes of docs/contract.md (CLI) with one clear line on stderr, by exception type: the
/// adapters turn their libraries' errors into the project's own types where they arise.
/// </summary>
internal static class ExitCodeMapper
{
    public static async Task<int> GuardedAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (Map(ex) is { } failure)
        {
            await Console.Error.WriteLineAsync(failure.Line);
            return failure.Code;
        }
    }

    /// <summary>The exit code and stderr line for <paramref name="ex"/>, or null when it is a bug (let it crash).</summary>
    public static (int Code, string Line)? Map(Exception ex) => ex switch
    {
        UsageException => (ExitCodes.Usage, $"pipeline: {ex.Message}"),
        KafkaException kafka => (ExitCodes.Failure, $"pipeline: error: Kafka: {kafka.Error.Reason}"),
        BigQueryException or HttpRequestException => (ExitCodes.Failure, $"pipeline: error: BigQuery: {ex.Message}"),
        // DuckDB's messages may run on with the statement and a caret line: its first line says it.
        WarehouseException or QueryRefusedException => (ExitCodes.Failure, $"pipeline: error: {FirstLine(ex.Message)}"),
        SinkUnavailableException or BatchAbandonedException or RuntimeFailureException
            or IOException or UnauthorizedAccessException or InvalidOperationException or TimeoutException
            => (ExitCodes.Failure, $"pipeline: error: {ex.Message}"),
        _ => null,
    };

    private static string FirstLine(string message) => message.Trim().Split('\n')[0].Trim();
}
