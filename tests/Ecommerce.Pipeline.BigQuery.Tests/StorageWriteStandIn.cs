using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>
/// A local BigQuery Storage Write API stand-in: Grpc.AspNetCore on 127.0.0.1 (ephemeral port, plaintext HTTP/2)
/// serving the BigQueryWrite service generated from the project's own proto subset. It shares the REST stand-in's
/// tables, so rows it commits are what tabledata/jobs.query (the watermark) see. The rules it enforces and the faults
/// it injects are in StorageWriteStandInService*.cs; every fault is off until switched on, and each one is counted.
/// </summary>
internal sealed class StorageWriteStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StorageWriteStandIn(BigQueryStandIn rest)
    {
        Rest = rest;
        Service = new StorageWriteStandInService(this);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        // The service's own limit (10 MB) is the one to enforce; gRPC's default 4 MB receive limit would refuse first.
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = 64 * 1024 * 1024);
        builder.Services.AddSingleton(Service);
        _app = builder.Build();
        _app.MapGrpcService<StorageWriteStandInService>();
    }

    public BigQueryStandIn Rest { get; }

    internal StorageWriteStandInService Service { get; }

    /// <summary>http://127.0.0.1:PORT, plaintext HTTP/2.</summary>
    public Uri Endpoint { get; private set; } = null!;

    public static async Task<StorageWriteStandIn> StartAsync(BigQueryStandIn rest)
    {
        ArgumentNullException.ThrowIfNull(rest);
        var standIn = new StorageWriteStandIn(rest);
        await standIn._app.StartAsync();
        var address = standIn._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        standIn.Endpoint = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return standIn;
    }

    /// <summary>Anything a client did that the real service would refuse as malformed, or the stand-in could not serve.</summary>
    public ConcurrentQueue<string> ContractViolations { get; } = new();

    /// <summary>
    /// One AppendRows request may be at most this many bytes (the serialized AppendRowsRequest). storage.proto: "The
    /// size of a single AppendRowsRequest must be less than 10 MB in size. Requests larger than this return an error,
    /// typically INVALID_ARGUMENT." A test may set it lower.
    /// </summary>
    public int MaxRequestBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>
    /// The server ends an AppendRows connection that received nothing for this long (null: never). Google closes one
    /// after 600 s with ABORTED "Closing the stream because it has been inactive for 600 seconds"
    /// (googleapis/nodejs-bigquery-storage#427, googleapis/java-bigquerystorage#2942).
    /// </summary>
    public TimeSpan? IdleTimeout { get; set; }

    /// <summary>
    /// For this long after tables.insert, CreateWriteStream and default-stream appends on that table answer NOT_FOUND
    /// (a new table takes a while to be visible to the streaming backends).
    /// </summary>
    public TimeSpan NotFoundAfterCreate { get; set; }

    /// <summary>Injects <paramref name="fault"/> on the AppendRows request that comes <paramref name="afterRequests"/> requests from now.</summary>
    public void InjectFault(StorageWriteFault fault, int afterRequests = 0, int times = 1) => Service.Schedule(fault, afterRequests, times);

    /// <summary>Injects <paramref name="fault"/> on every <paramref name="period"/>-th AppendRows request from now on (0: stop).</summary>
    public void InjectEvery(StorageWriteFault fault, int period) => Service.Periodic = period > 0 ? (fault, period) : null;

    /// <summary>How often each fault (and each idle close / not-found window answer) was injected.</summary>
    public IReadOnlyDictionary<StorageWriteFault, int> FaultsInjected => Service.Injected;

    public long AppendRequests => Interlocked.Read(ref Service.AppendRequestCount);

    /// <summary>Rows committed (stored), over all streams.</summary>
    public long RowsAppended => Interlocked.Read(ref Service.RowsAppendedCount);

    /// <summary>Serialized AppendRowsRequest bytes received: what the client put on the wire before HTTP/2 framing.</summary>
    public long BytesReceived => Interlocked.Read(ref Service.BytesReceivedCount);

    public long CreateWriteStreamCalls => Interlocked.Read(ref Service.CreateCount);

    /// <summary>
    /// Calls answered UNAUTHENTICATED: in the REST stand-in's credential mode (its <c>TrustServiceAccount</c>), every
    /// call must carry a token the token endpoint issued and <c>ExpireIssuedTokens</c> has not expired.
    /// </summary>
    public long Unauthenticated => Interlocked.Read(ref Service.UnauthenticatedCount);

    public int Connections => Service.ConnectionCount;

    /// <summary>Every stream the stand-in knows, by full name (default streams once appended to).</summary>
    public IReadOnlyDictionary<string, StandInWriteStream> Streams => Service.Streams;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Faults the Storage Write stand-in can inject on an AppendRows request.</summary>
public enum StorageWriteFault
{
    /// <summary>The HTTP/2 stream is reset before the request is applied: nothing stored, no answer.</summary>
    ResetBeforeApply,

    /// <summary>The request is applied (rows stored), then the HTTP/2 stream is reset before the answer.</summary>
    ResetAfterApply,

    /// <summary>The connection ends with UNAVAILABLE; the request is not applied.</summary>
    Unavailable,

    /// <summary>The connection ends with RESOURCE_EXHAUSTED (throttled); the request is not applied.</summary>
    ResourceExhausted,

    /// <summary>Counted only: an idle connection was closed (<see cref="StorageWriteStandIn.IdleTimeout"/>).</summary>
    IdleClose,

    /// <summary>Counted only: NOT_FOUND answered inside <see cref="StorageWriteStandIn.NotFoundAfterCreate"/>.</summary>
    NotFound,
}
