using System.Net;
using System.Threading.Channels;
using Ecommerce.Pipeline.FunctionsHost.StandIn.Protocol;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ecommerce.Pipeline.FunctionsHost.StandIn;

/// <summary>
/// The Functions host's side of <c>FunctionRpc.EventStream</c>: a gRPC server (Kestrel, HTTP/2 without TLS, as the
/// host serves its workers) on 127.0.0.1 at an ephemeral port. Each worker that connects becomes a
/// <see cref="WorkerConnection"/>; the test drives it as the host would.
/// </summary>
public sealed class StandInFunctionsHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<WorkerConnection> _connections;

    private StandInFunctionsHost(WebApplication app, Channel<WorkerConnection> connections, Uri address)
    {
        _app = app;
        _connections = connections;
        Address = address;
    }

    /// <summary>The address the worker is given (<c>--functions-uri</c>, or <c>--host</c>/<c>--port</c>).</summary>
    public Uri Address { get; }

    public static async Task<StandInFunctionsHost> StartAsync()
    {
        var connections = Channel.CreateUnbounded<WorkerConnection>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = null;
            o.MaxSendMessageSize = null;
        });
        builder.Services.AddSingleton(connections);
        var app = builder.Build();
        app.MapGrpcService<EventStreamService>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.Single();
        return new StandInFunctionsHost(app, connections, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    /// <summary>The next worker that opened the stream.</summary>
    public async Task<WorkerConnection> AcceptAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            return await _connections.Reader.ReadAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No worker opened FunctionRpc.EventStream on {Address} within {timeout}.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(grace.Token);
        await _app.DisposeAsync();
    }

    private sealed class EventStreamService(Channel<WorkerConnection> connections) : FunctionRpc.FunctionRpcBase
    {
        public override async Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream,
            IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context)
        {
            var worker = new WorkerConnection(responseStream);
            await connections.Writer.WriteAsync(worker, context.CancellationToken);
            try
            {
                await foreach (var message in requestStream.ReadAllAsync(context.CancellationToken))
                {
                    worker.Received(message);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or Grpc.Core.RpcException)
            {
                // The worker process ended without closing its side: the stream is over either way.
            }
            finally
            {
                worker.Close();
            }
        }
    }
}
