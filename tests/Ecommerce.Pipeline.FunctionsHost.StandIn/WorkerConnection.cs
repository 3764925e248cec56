using System.Collections.Concurrent;
using System.Threading.Channels;
using Ecommerce.Pipeline.FunctionsHost.StandIn.Protocol;
using Grpc.Core;

namespace Ecommerce.Pipeline.FunctionsHost.StandIn;

/// <summary>
/// One worker's <c>EventStream</c>, seen from the host: what the worker sent (logs kept apart), and a way to send it
/// requests and wait for the matching answer.
/// </summary>
public sealed class WorkerConnection
{
    private readonly IServerStreamWriter<StreamingMessage> _toWorker;
    private readonly Channel<StreamingMessage> _fromWorker = Channel.CreateUnbounded<StreamingMessage>();
    private readonly List<StreamingMessage> _unclaimed = [];
    private readonly ConcurrentQueue<RpcLog> _logs = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public WorkerConnection(IServerStreamWriter<StreamingMessage> toWorker) => _toWorker = toWorker;

    /// <summary>The worker's logs so far (<c>RpcLog</c>: what the host writes to its console and Application Insights).</summary>
    public IReadOnlyCollection<RpcLog> Logs => _logs.ToArray();

    /// <summary>Completes when the worker closed its side of the stream (it stopped or its process ended).</summary>
    public Task Closed => _closed.Task;

    // One writer at a time on a gRPC stream: the test sends from one place and awaits each send.
    public Task SendAsync(StreamingMessage message) => _toWorker.WriteAsync(message);

    /// <summary>The first message from the worker (other than a log) that <paramref name="match"/> accepts.</summary>
    public async Task<StreamingMessage> ReceiveAsync(Func<StreamingMessage, bool> match, TimeSpan timeout, string what)
    {
        var claimed = _unclaimed.FirstOrDefault(match);
        if (claimed is not null)
        {
            _unclaimed.Remove(claimed);
            return claimed;
        }

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (await _fromWorker.Reader.WaitToReadAsync(deadline.Token))
            {
                while (_fromWorker.Reader.TryRead(out var message))
                {
                    if (match(message))
                    {
                        return message;
                    }

                    _unclaimed.Add(message);
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The worker sent no {what} within {timeout}. Its logs:\n{DescribeLogs()}");
        }

        throw new InvalidOperationException($"The worker closed the stream before sending {what}. Its logs:\n{DescribeLogs()}");
    }

    public Task<StreamingMessage> ReceiveAsync(StreamingMessage.ContentOneofCase kind, TimeSpan timeout) =>
        ReceiveAsync(m => m.ContentCase == kind, timeout, kind.ToString());

    /// <summary>Sends a request and waits for the answer the protocol pairs with it.</summary>
    public async Task<StreamingMessage> RequestAsync(StreamingMessage request, Func<StreamingMessage, bool> answer,
        TimeSpan timeout, string what)
    {
        await SendAsync(request);
        return await ReceiveAsync(answer, timeout, what);
    }

    public async Task<InvocationResponse> InvokeAsync(InvocationRequest invocation, TimeSpan timeout)
    {
        var response = await RequestAsync(new StreamingMessage { InvocationRequest = invocation },
            m => m.InvocationResponse?.InvocationId == invocation.InvocationId, timeout,
            $"InvocationResponse for {invocation.InvocationId}");
        return response.InvocationResponse;
    }

    public string DescribeLogs() =>
        string.Join('\n', _logs.Select(l => $"[{l.Level}] {l.Category}: {l.Message} {l.Exception?.Message}"));

    internal void Received(StreamingMessage message)
    {
        if (message.ContentCase == StreamingMessage.ContentOneofCase.RpcLog)
        {
            _logs.Enqueue(message.RpcLog);
            return;
        }

        _fromWorker.Writer.TryWrite(message);
    }

    internal void Close()
    {
        _fromWorker.Writer.TryComplete();
        _closed.TrySetResult();
    }
}
