using System.Collections.Concurrent;
using Ecommerce.Pipeline.BigQuery.StorageWrite.Protocol;
using Grpc.Core;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>
/// The stand-in's BigQueryWrite service: stream management here, AppendRows in StorageWriteStandInServiceAppend.cs.
/// Facts relied on, from storage.proto (google.cloud.bigquery.storage.v1, @google-cloud/bigquery-storage 5.1.2):
/// every table has a '_default' stream that needs no CreateWriteStream; "Finalize is not supported on the '_default'
/// stream"; FinalizeWriteStreamResponse.row_count is the number of rows in the finalized stream.
/// </summary>
internal sealed partial class StorageWriteStandInService(StorageWriteStandIn owner) : BigQueryWrite.BigQueryWriteBase
{
    private readonly object _faultGate = new();
    private readonly List<(long At, StorageWriteFault Fault)> _scheduled = [];
    private (StorageWriteFault Fault, int Period, long From)? _periodic;

    public long AppendRequestCount;
    public long RowsAppendedCount;
    public long BytesReceivedCount;
    public long CreateCount;

    /// <summary>Calls answered UNAUTHENTICATED.</summary>
    public long UnauthenticatedCount;
    public int ConnectionCount;

    public ConcurrentDictionary<string, StandInWriteStream> Streams { get; } = new();

    public ConcurrentDictionary<StorageWriteFault, int> Injected { get; } = new();

    public (StorageWriteFault Fault, int Period)? Periodic
    {
        set
        {
            lock (_faultGate)
            {
                _periodic = value is { } p ? (p.Fault, p.Period, Interlocked.Read(ref AppendRequestCount)) : null;
            }
        }
    }

    public void Schedule(StorageWriteFault fault, int afterRequests, int times)
    {
        lock (_faultGate)
        {
            var next = Interlocked.Read(ref AppendRequestCount) + afterRequests + 1;
            for (var i = 0; i < times; i++)
            {
                _scheduled.Add((next + i, fault));
            }
        }
    }

    /// <summary>The fault for AppendRows request number <paramref name="request"/>, if one is due (and counts it).</summary>
    private StorageWriteFault? TakeFault(long request)
    {
        lock (_faultGate)
        {
            StorageWriteFault? fault = null;
            var due = _scheduled.FindIndex(s => s.At <= request);
            if (due >= 0)
            {
                fault = _scheduled[due].Fault;
                _scheduled.RemoveAt(due);
            }
            else if (_periodic is { } p && (request - p.From) % p.Period == 0)
            {
                fault = p.Fault;
            }

            if (fault is { } f)
            {
                Count(f);
            }

            return fault;
        }
    }

    private void Count(StorageWriteFault fault) => Injected.AddOrUpdate(fault, 1, (_, n) => n + 1);

    public override Task<WriteStream> CreateWriteStream(CreateWriteStreamRequest request, ServerCallContext context)
    {
        CheckCredentials(context);
        Interlocked.Increment(ref CreateCount);
        var table = StandInWriteStream.TableOf(request.Parent, stream: false) ?? throw Violation(StatusCode.InvalidArgument,
            $"CreateWriteStream: parent '{request.Parent}' is not projects/P/datasets/D/tables/T");
        RequireTable(table, request.Parent);
        if (request.WriteStream?.Type != WriteStream.Types.Type.Committed)
        {
            throw Violation(StatusCode.Unimplemented, $"CreateWriteStream: the stand-in serves COMMITTED streams only, asked for {request.WriteStream?.Type}");
        }

        var stream = new StandInWriteStream($"{request.Parent}/streams/{Guid.NewGuid():N}", table, owner.Rest.Clock.GetUtcNow());
        Streams[stream.Name] = stream;
        return Task.FromResult(stream.ToProto());
    }

    public override Task<WriteStream> GetWriteStream(GetWriteStreamRequest request, ServerCallContext context)
    {
        CheckCredentials(context);
        return Task.FromResult(Find(request.Name).ToProto());
    }

    public override Task<FinalizeWriteStreamResponse> FinalizeWriteStream(FinalizeWriteStreamRequest request, ServerCallContext context)
    {
        CheckCredentials(context);
        var stream = Find(request.Name);
        if (stream.IsDefault)
        {
            throw Violation(StatusCode.InvalidArgument, $"Finalize is not supported on the '_default' stream. Entity: {request.Name}");
        }

        lock (stream.Gate)
        {
            stream.Finalized = true;
            return Task.FromResult(new FinalizeWriteStreamResponse { RowCount = stream.NextOffset });
        }
    }

    /// <summary>A created stream, or a table's '_default' stream (which always exists while the table does).</summary>
    private StandInWriteStream Find(string name)
    {
        if (Streams.TryGetValue(name, out var stream))
        {
            return stream;
        }

        var table = StandInWriteStream.TableOf(name, stream: true) ?? throw Violation(StatusCode.InvalidArgument,
            $"'{name}' is not projects/P/datasets/D/tables/T/streams/S");
        if (!name.EndsWith("/streams/_default", StringComparison.Ordinal))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"Requested entity was not found. Entity: {name}"));
        }

        RequireTable(table, name);
        return Streams.GetOrAdd(name, n => new StandInWriteStream(n, table, owner.Rest.Clock.GetUtcNow()));
    }

    /// <summary>NOT_FOUND for a missing table, and for one inside the just-created window.</summary>
    private void RequireTable(string table, string entity)
    {
        _ = owner.Rest.TableFields(table, out var exists);
        var fresh = exists && owner.Rest.CreatedWithin(table, owner.NotFoundAfterCreate);
        if (fresh)
        {
            Count(StorageWriteFault.NotFound);
        }

        if (!exists || fresh)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"Not found: table {table}. Entity: {entity}"));
        }
    }

    /// <summary>
    /// In the REST stand-in's credential mode (<see cref="BigQueryStandIn.AcceptToken"/> set), a call must carry a
    /// token it accepts, or it gets UNAUTHENTICATED with Google's message (the same as the REST API's 401 "authError").
    /// Otherwise no credentials may reach an endpoint override: it is plaintext, and a token there would leak.
    /// </summary>
    private void CheckCredentials(ServerCallContext context)
    {
        var header = context.RequestHeaders.GetValue("authorization");
        if (owner.Rest.AcceptToken is { } accept)
        {
            var token = header is not null && header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..] : null;
            if (!accept(token))
            {
                Interlocked.Increment(ref UnauthenticatedCount);
                throw new RpcException(new Status(StatusCode.Unauthenticated,
                    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential."));
            }
        }
        else if (header is not null)
        {
            owner.ContractViolations.Enqueue($"{context.Method}: credentials sent to a plaintext endpoint override");
        }
    }

    /// <summary>Records what a correct client never does, and the error the real service would answer.</summary>
    private RpcException Violation(StatusCode code, string message)
    {
        owner.ContractViolations.Enqueue(message);
        return new RpcException(new Status(code, message));
    }
}
