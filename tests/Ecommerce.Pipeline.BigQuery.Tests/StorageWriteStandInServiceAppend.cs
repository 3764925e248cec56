using System.Globalization;
using System.Text.Json;
using Ecommerce.Pipeline.BigQuery.StorageWrite.Protocol;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>
/// AppendRows as the real service answers it. Sources (storage.proto of google.cloud.bigquery.storage.v1 unless said):
/// - the first request of a connection carries write_stream and proto_rows.writer_schema; later ones may omit both,
///   and writer_schema "will be ignored if specified in following requests";
/// - "Responses are received in the same order in which requests are sent": one request is answered before the next
///   is read;
/// - offset: "ALREADY_EXISTS if user provides an offset that has already been written to", "OUT_OF_RANGE ... beyond
///   the current end of the stream", in AppendRowsResponse.error; "Specifying a value for this field is not allowed
///   when calling AppendRows for the '_default' stream"; the google.rpc.Status carries a StorageError in details and
///   the message reads "expected offset N, received M" (googleapis/java-bigquerystorage, Exceptions.java,
///   toStorageException, which parses both);
/// - a bad row: "no rows in the batch will be appended", row_errors list them; the status is INVALID_ARGUMENT with
///   "Errors found while processing rows. Please refer to the row_errors field for details..."
///   (googleapis/python-bigquery-storage#717);
/// - too large: INVALID_ARGUMENT "AppendRows request too large: N limit 10485760 Entity: ..." ending the connection
///   (hafenkran/duckdb-bigquery#134; lquerel/gcp-bigquery-client#114 names the code);
/// - throttling and overload end the connection with UNAVAILABLE / RESOURCE_EXHAUSTED
///   (googleapis/java-bigquery#3537: "UNAVAILABLE: Request 'AppendRows' ... throttled");
/// - outside the US multi-region the call must carry x-goog-request-params: write_stream=... (the issue's routing fact;
///   checked here for every connection so a client that forgets it fails locally).
/// </summary>
internal sealed partial class StorageWriteStandInService
{
    private const string RowErrorsMessage =
        "Errors found while processing rows. Please refer to the row_errors field for details. The list may not be complete because of the size limitations.";

    public override async Task AppendRows(IAsyncStreamReader<AppendRowsRequest> requestStream,
        IServerStreamWriter<AppendRowsResponse> responseStream, ServerCallContext context)
    {
        Interlocked.Increment(ref ConnectionCount);
        CheckCredentials(context);
        StandInWriteStream? stream = null;
        StorageWriteRowDecoder? decoder = null;
        StorageWriteRejection? schemaRejected = null;
        while (await NextAsync(requestStream, context, stream?.Name))
        {
            var request = requestStream.Current;
            var number = Interlocked.Increment(ref AppendRequestCount);
            var size = request.CalculateSize();
            Interlocked.Add(ref BytesReceivedCount, size);
            var fault = TakeFault(number);
            switch (fault)
            {
                case StorageWriteFault.Unavailable:
                    throw new RpcException(new Status(StatusCode.Unavailable, "Injected: the service is currently unavailable."));
                case StorageWriteFault.ResourceExhausted:
                    throw new RpcException(new Status(StatusCode.ResourceExhausted, "Injected: Exceeds 'AppendRows throughput' quota."));
                case StorageWriteFault.ResetBeforeApply:
                    context.GetHttpContext().Abort();
                    return;
            }

            if (stream is null)
            {
                stream = OpenConnection(request, context);
                try
                {
                    decoder = StorageWriteRowDecoder.Create(request.ProtoRows.WriterSchema.ProtoDescriptor, owner.Rest.TableFields(stream.Table, out _));
                }
                catch (StorageWriteRejection ex)
                {
                    owner.ContractViolations.Enqueue($"AppendRows {stream.Name}: {ex.Message}");
                    schemaRejected = ex;
                }
            }
            else if (request.WriteStream.Length > 0 && request.WriteStream != stream.Name)
            {
                throw Violation(StatusCode.InvalidArgument,
                    $"AppendRows: one connection, one stream: '{request.WriteStream}' after '{stream.Name}'");
            }

            if (size > owner.MaxRequestBytes)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, string.Create(CultureInfo.InvariantCulture,
                    $"AppendRows request too large: {size} limit {owner.MaxRequestBytes} Entity: {stream.Name}")));
            }

            var response = schemaRejected is { } rejected
                ? Error(stream.Name, StatusCode.InvalidArgument, rejected.Message, rejected.Code)
                : Apply(stream, decoder!, request);
            if (fault == StorageWriteFault.ResetAfterApply)
            {
                context.GetHttpContext().Abort();
                return;
            }

            await responseStream.WriteAsync(response);
        }
    }

    /// <summary>The next request; an idle connection is closed as Google closes it.</summary>
    private async Task<bool> NextAsync(IAsyncStreamReader<AppendRowsRequest> requests, ServerCallContext context, string? stream)
    {
        if (owner.IdleTimeout is not { } idle)
        {
            return await requests.MoveNext(context.CancellationToken);
        }

        using var idleClose = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        idleClose.CancelAfter(idle);
        try
        {
            return await requests.MoveNext(idleClose.Token);
        }
        catch (OperationCanceledException) when (!context.CancellationToken.IsCancellationRequested)
        {
            Count(StorageWriteFault.IdleClose);
            throw new RpcException(new Status(StatusCode.Aborted, string.Create(CultureInfo.InvariantCulture,
                $"Closing the stream because it has been inactive for {idle.TotalSeconds:0.###} seconds. Entity: {stream}")));
        }
    }

    /// <summary>The first-request rules; the stream the connection writes to.</summary>
    private StandInWriteStream OpenConnection(AppendRowsRequest request, ServerCallContext context)
    {
        if (request.WriteStream.Length == 0)
        {
            throw Violation(StatusCode.InvalidArgument, "AppendRows: the first request of a connection must carry write_stream");
        }

        if (request.ProtoRows?.WriterSchema?.ProtoDescriptor is null)
        {
            throw Violation(StatusCode.InvalidArgument, $"AppendRows: the first request of a connection must carry proto_rows.writer_schema. Entity: {request.WriteStream}");
        }

        var routing = context.RequestHeaders.GetValue("x-goog-request-params");
        if (routing is null || !routing.StartsWith("write_stream=", StringComparison.Ordinal)
            || Uri.UnescapeDataString(routing["write_stream=".Length..]) != request.WriteStream)
        {
            owner.ContractViolations.Enqueue($"AppendRows: x-goog-request-params is '{routing}', not write_stream={Uri.EscapeDataString(request.WriteStream)}");
        }

        var stream = Find(request.WriteStream);
        if (stream.IsDefault)
        {
            RequireTable(stream.Table, stream.Name);
        }

        return stream;
    }

    /// <summary>Applies one request: all its rows at the stream's next offset, or none of them.</summary>
    private AppendRowsResponse Apply(StandInWriteStream stream, StorageWriteRowDecoder decoder, AppendRowsRequest request)
    {
        if (request.ProtoRows?.Rows is not { } rows)
        {
            owner.ContractViolations.Enqueue($"AppendRows {stream.Name}: a request without proto_rows.rows");
            return Error(stream.Name, StatusCode.InvalidArgument, "ProtoRows.rows is required", StorageError.Types.StorageErrorCode.Unspecified);
        }

        if (stream.IsDefault && request.Offset is not null)
        {
            owner.ContractViolations.Enqueue($"AppendRows {stream.Name}: an offset on the default stream");
            return Error(stream.Name, StatusCode.InvalidArgument, $"Offset is not supported on the default stream. Entity: {stream.Name}",
                StorageError.Types.StorageErrorCode.Unspecified);
        }

        lock (stream.Gate)
        {
            var next = stream.NextOffset;
            if (stream.Finalized)
            {
                return Error(stream.Name, StatusCode.InvalidArgument, $"Stream is finalized. Entity: {stream.Name}",
                    StorageError.Types.StorageErrorCode.StreamFinalized);
            }

            if (request.Offset is { } offset && offset != next)
            {
                return offset < next
                    ? Error(stream.Name, StatusCode.AlreadyExists, $"The offset is within stream, expected offset {next}, received {offset}",
                        StorageError.Types.StorageErrorCode.OffsetAlreadyExists)
                    : Error(stream.Name, StatusCode.OutOfRange, $"The offset is beyond stream, expected offset {next}, received {offset}",
                        StorageError.Types.StorageErrorCode.OffsetOutOfRange);
            }

            var decoded = new List<(string Id, JsonElement Json)>(rows.SerializedRows.Count);
            var rowErrors = new List<RowError>();
            for (var i = 0; i < rows.SerializedRows.Count; i++)
            {
                try
                {
                    decoded.Add(($"{stream.Name}@{next + i}", decoder.Decode(rows.SerializedRows[i])));
                }
                catch (StorageWriteRowRejection ex)
                {
                    rowErrors.Add(new RowError { Index = i, Code = RowError.Types.RowErrorCode.FieldsError, Message = ex.Message });
                }
            }

            if (rowErrors.Count > 0)
            {
                owner.ContractViolations.Enqueue($"AppendRows {stream.Name}: rows the table refuses: {string.Join("; ", rowErrors.Select(e => $"#{e.Index} {e.Message}"))}");
                var refused = Error(stream.Name, StatusCode.InvalidArgument, $"{RowErrorsMessage} Entity: {stream.Name}", null);
                refused.RowErrors.AddRange(rowErrors);
                return refused;
            }

            owner.Rest.StoreWritten(stream.Table, decoded);
            stream.NextOffset = next + decoded.Count;
            Interlocked.Add(ref RowsAppendedCount, decoded.Count);
            return new AppendRowsResponse
            {
                AppendResult = new AppendRowsResponse.Types.AppendResult { Offset = stream.IsDefault ? null : next },
                WriteStream = stream.Name,
            };
        }
    }

    private static AppendRowsResponse Error(string stream, StatusCode code, string message, StorageError.Types.StorageErrorCode? storageCode)
    {
        var status = new Google.Rpc.Status { Code = (int)code, Message = message };
        if (storageCode is { } storage)
        {
            status.Details.Add(Any.Pack(new StorageError { Code = storage, Entity = stream, ErrorMessage = message }));
        }

        return new AppendRowsResponse { Error = status, WriteStream = stream };
    }
}
