using System.Globalization;
using System.Text.Json;

namespace Ecommerce.Pipeline.FunctionsHost.StandIn;

/// <summary>The two ways the host has named its gRPC address and ids on the worker's command line.</summary>
public enum HostArgumentStyle
{
    /// <summary><c>--functions-uri</c>, <c>--functions-worker-id</c>, <c>--functions-request-id</c>, <c>--functions-grpc-max-message-length</c>.</summary>
    Functions,

    /// <summary>The older <c>--host</c>, <c>--port</c>, <c>--workerId</c>, <c>--requestId</c>, <c>--grpcMaxMessageLength</c>.</summary>
    Legacy,

    /// <summary>What the host passes: the older arguments first, then the same values as <see cref="Functions"/>.</summary>
    Both,
}

/// <summary>
/// Starts the built function app the way the Functions host starts a dotnet-isolated worker: the executable and
/// worker path from the <c>worker.config.json</c> the Worker SDK wrote, the host's arguments, the worker and
/// application directories in the environment, and the app settings as environment variables.
/// </summary>
/// <remarks>
/// The host's arguments are <c>--host H --port P --workerId W --requestId R --grpcMaxMessageLength N</c> followed by
/// the same values as <c>--functions-uri</c>, <c>--functions-worker-id</c>, <c>--functions-request-id</c>,
/// <c>--functions-grpc-max-message-length</c> (Azure/azure-functions-host,
/// src/WebJobs.Script/Workers/Rpc/RpcWorkerContext.cs, <c>GetFormattedArguments</c>). The 2.x worker reads only
/// the <c>--functions-*</c> ones (mapped to <c>Functions:Worker:HostEndpoint</c>, <c>...:WorkerId</c>,
/// <c>...:RequestId</c>, <c>...:GrpcMaxMessageLength</c> in Azure/azure-functions-dotnet-worker,
/// src/DotNetWorker/Hosting/WorkerHostBuilderExtensions.cs); the tests give each style alone and both together to
/// show which the worker needs. <c>FUNCTIONS_WORKER_DIRECTORY</c> is where the worker loads
/// the function's assembly from (Azure/azure-functions-dotnet-worker, src/DotNetWorker.Grpc/Definition/
/// GrpcFunctionDefinition.cs).
/// </remarks>
public static class WorkerLauncher
{
    /// <summary>The host's default gRPC message limit (int.MaxValue), as it passes it.</summary>
    public const int MaxMessageLength = int.MaxValue;

    public static PipelineProcess Start(string appDirectory, Uri hostAddress, HostArgumentStyle style, string workerId,
        string requestId, IDictionary<string, string> appSettings)
    {
        var (executable, workerPath) = ReadWorkerConfig(appDirectory);
        var environment = new Dictionary<string, string>(appSettings)
        {
            ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
            ["FUNCTIONS_WORKER_DIRECTORY"] = appDirectory,
            ["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory,
        };
        return PipelineProcess.StartProgram(executable, [workerPath, .. Arguments(hostAddress, style, workerId, requestId)],
            appDirectory, environment);
    }

    public static IEnumerable<string> Arguments(Uri hostAddress, HostArgumentStyle style, string workerId, string requestId)
    {
        var max = MaxMessageLength.ToString(CultureInfo.InvariantCulture);
        string[] functions =
        [
            "--functions-uri", hostAddress.AbsoluteUri, "--functions-worker-id", workerId,
            "--functions-request-id", requestId, "--functions-grpc-max-message-length", max,
        ];
        string[] legacy =
        [
            "--host", hostAddress.Host, "--port", hostAddress.Port.ToString(CultureInfo.InvariantCulture),
            "--workerId", workerId, "--requestId", requestId, "--grpcMaxMessageLength", max,
        ];
        return style switch
        {
            HostArgumentStyle.Functions => functions,
            HostArgumentStyle.Legacy => legacy,
            _ => [.. legacy, .. functions],
        };
    }

    /// <summary>The executable and the worker path of the language worker description the build wrote.</summary>
    public static (string Executable, string WorkerPath) ReadWorkerConfig(string appDirectory)
    {
        var path = Path.Combine(appDirectory, "worker.config.json");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"the Worker SDK wrote no {path}", path);
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var description = document.RootElement.GetProperty("description");
        var language = description.GetProperty("language").GetString();
        if (language != "dotnet-isolated")
        {
            throw new InvalidOperationException($"worker.config.json describes a {language} worker, not dotnet-isolated");
        }

        var workerPath = description.GetProperty("defaultWorkerPath").GetString()!;
        if (!File.Exists(Path.Combine(appDirectory, workerPath)))
        {
            throw new FileNotFoundException($"worker.config.json names {workerPath}, not in {appDirectory}");
        }

        return (description.GetProperty("defaultExecutablePath").GetString()!, workerPath);
    }
}
