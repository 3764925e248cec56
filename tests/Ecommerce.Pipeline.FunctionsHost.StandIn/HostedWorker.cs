using Ecommerce.Pipeline.FunctionsHost.StandIn.Protocol;
using Google.Protobuf.WellKnownTypes;

namespace Ecommerce.Pipeline.FunctionsHost.StandIn;

/// <summary>
/// The built function app running as a worker of <see cref="StandInFunctionsHost"/>, taken through the host's
/// start-up sequence: <c>StartStream</c>, <c>WorkerInitRequest</c>, <c>FunctionsMetadataRequest</c> (worker
/// indexing) and one <c>FunctionLoadRequest</c> per function it reported.
/// </summary>
public sealed class HostedWorker : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private HostedWorker(StandInFunctionsHost host, PipelineProcess process, WorkerConnection stream, string workerId)
    {
        Host = host;
        Process = process;
        Stream = stream;
        WorkerId = workerId;
    }

    public StandInFunctionsHost Host { get; }
    public PipelineProcess Process { get; }
    public WorkerConnection Stream { get; }
    public string WorkerId { get; }
    public StartStream? StartStream { get; private set; }
    public WorkerInitResponse? Init { get; private set; }
    public FunctionMetadataResponse? Metadata { get; private set; }
    public List<FunctionLoadResponse> Loaded { get; } = [];

    /// <summary>The function id of <paramref name="name"/>, as the worker reported it.</summary>
    public string FunctionId(string name) =>
        Metadata!.FunctionMetadataResults.Single(f => f.Name == name).FunctionId;

    /// <summary>Starts the worker and waits for its <c>StartStream</c>; the rest of start-up is the caller's.</summary>
    public static async Task<HostedWorker> StartAsync(string appDirectory, HostArgumentStyle style,
        IDictionary<string, string> appSettings)
    {
        var host = await StandInFunctionsHost.StartAsync();
        var workerId = Guid.NewGuid().ToString();
        var process = WorkerLauncher.Start(appDirectory, host.Address, style, workerId, Guid.NewGuid().ToString(), appSettings);
        try
        {
            var stream = await AcceptOrExplainAsync(host, process);
            var worker = new HostedWorker(host, process, stream, workerId);
            worker.StartStream = (await stream.ReceiveAsync(StreamingMessage.ContentOneofCase.StartStream, Deadline)).StartStream;
            return worker;
        }
        catch
        {
            await process.DisposeAsync();
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Init, metadata and load, as the host does before the first invocation.</summary>
    public async Task InitializeAndLoadAsync(string appDirectory)
    {
        var init = new WorkerInitRequest
        {
            HostVersion = "4.1040.0",
            WorkerDirectory = appDirectory,
            FunctionAppDirectory = appDirectory,
        };
        init.Capabilities.Add("TypedDataCollection", "1");
        init.Capabilities.Add("RpcHttpBodyOnly", "1");
        init.LogCategories.Add("Worker", RpcLog.Types.Level.Information);
        Init = (await Stream.RequestAsync(new StreamingMessage { RequestId = "init", WorkerInitRequest = init },
            m => m.WorkerInitResponse is not null, Deadline, nameof(WorkerInitResponse))).WorkerInitResponse;

        Metadata = (await Stream.RequestAsync(
            new StreamingMessage { FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = appDirectory } },
            m => m.FunctionMetadataResponse is not null, Deadline, nameof(FunctionMetadataResponse))).FunctionMetadataResponse;

        foreach (var function in Metadata.FunctionMetadataResults)
        {
            var load = new FunctionLoadRequest { FunctionId = function.FunctionId, Metadata = function.Clone() };
            load.Metadata.Directory = appDirectory;
            Loaded.Add((await Stream.RequestAsync(new StreamingMessage { FunctionLoadRequest = load },
                m => m.FunctionLoadResponse?.FunctionId == function.FunctionId, Deadline,
                $"FunctionLoadResponse for {function.Name}")).FunctionLoadResponse);
        }
    }

    /// <summary>Sends <c>WorkerTerminate</c> and returns the worker's exit code once its process ended.</summary>
    public async Task<int> TerminateAsync(TimeSpan gracePeriod)
    {
        await Stream.SendAsync(new StreamingMessage
        {
            WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(gracePeriod) },
        });
        return await Process.WaitForExitAsync(gracePeriod + TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        await Host.DisposeAsync();
    }

    private static async Task<WorkerConnection> AcceptOrExplainAsync(StandInFunctionsHost host, PipelineProcess process)
    {
        var accepting = host.AcceptAsync(Deadline);
        var exited = process.WaitForExitAsync(Deadline);
        if (await Task.WhenAny(accepting, exited) == accepting)
        {
            return await accepting;
        }

        throw new InvalidOperationException(
            $"The worker exited ({await exited}) before opening the event stream.\n{process.Output}");
    }
}
