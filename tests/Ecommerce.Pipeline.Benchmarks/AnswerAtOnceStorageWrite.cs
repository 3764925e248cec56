using System.Collections.Concurrent;
using Ecommerce.Pipeline.BigQuery.StorageWrite.Protocol;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Ecommerce.Pipeline.Benchmarks;

/// <summary>
/// The Storage Write side of the answer-at-once stand-in: every stream exists, every append is acknowledged in order
/// at the stream's next offset (the offset the request asked for, so an exactly-once writer sees no conflicts), after
/// the optional delay. It counts what the client put on the wire: the serialized AppendRowsRequest bytes (gRPC adds a
/// 5-byte frame header per message and HTTP/2 its frames; the REST side counts request bodies the same way).
/// </summary>
internal sealed class AnswerAtOnceStorageWrite(Func<TimeSpan> delay) : BigQueryWrite.BigQueryWriteBase
{
    private readonly ConcurrentDictionary<string, long> _next = new();
    private long _appends;
    private long _rows;
    private long _bytes;

    public long Appends => Interlocked.Read(ref _appends);
    public long Rows => Interlocked.Read(ref _rows);
    public long Bytes => Interlocked.Read(ref _bytes);

    public override Task<WriteStream> CreateWriteStream(CreateWriteStreamRequest request, ServerCallContext context) =>
        Task.FromResult(Stream($"{request.Parent}/streams/{Guid.NewGuid():N}"));

    public override Task<WriteStream> GetWriteStream(GetWriteStreamRequest request, ServerCallContext context) =>
        Task.FromResult(Stream(request.Name));

    public override Task<FinalizeWriteStreamResponse> FinalizeWriteStream(FinalizeWriteStreamRequest request, ServerCallContext context) =>
        Task.FromResult(new FinalizeWriteStreamResponse { RowCount = _next.GetValueOrDefault(request.Name) });

    public override async Task AppendRows(IAsyncStreamReader<AppendRowsRequest> requestStream,
        IServerStreamWriter<AppendRowsResponse> responseStream, ServerCallContext context)
    {
        var stream = "";
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            var request = requestStream.Current;
            stream = request.WriteStream.Length > 0 ? request.WriteStream : stream;
            var rows = request.ProtoRows?.Rows?.SerializedRows.Count ?? 0;
            Interlocked.Increment(ref _appends);
            Interlocked.Add(ref _rows, rows);
            Interlocked.Add(ref _bytes, request.CalculateSize());
            var offset = _next.AddOrUpdate(stream, rows, (_, n) => n + rows) - rows;
            if (delay() is { } wait && wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, context.CancellationToken);
            }

            await responseStream.WriteAsync(new AppendRowsResponse
            {
                AppendResult = new AppendRowsResponse.Types.AppendResult
                {
                    Offset = stream.EndsWith("/_default", StringComparison.Ordinal) ? null : request.Offset ?? offset,
                },
                WriteStream = stream,
            });
        }
    }

    private static WriteStream Stream(string name) => new()
    {
        Name = name,
        Type = WriteStream.Types.Type.Committed,
        WriteMode = WriteStream.Types.WriteMode.Insert,
        CreateTime = Timestamp.FromDateTime(DateTime.UtcNow),
    };
}
