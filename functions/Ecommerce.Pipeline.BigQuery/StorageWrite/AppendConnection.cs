using System.Globalization;
using Ecommerce.Pipeline.BigQuery.StorageWrite.Protocol;
using Google.Protobuf;
using Grpc.Core;
using Polly;

namespace Ecommerce.Pipeline.BigQuery.StorageWrite;

/// <summary>
/// One write stream's AppendRows connection: a single bidirectional call, opened on demand and re-opened after a
/// failure. The first request on each call carries <c>write_stream</c> and the writer schema; later ones omit both.
/// </summary>
/// <remarks>
/// <para>Appends are one at a time (a caller waits for the previous one), and a request is sent only after the one
/// before it was answered, so a response always belongs to the request just sent, and after a reconnect the only
/// request not acknowledged is re-sent, with its offset, before anything after it.</para>
/// <para>Answers: an append result, or ALREADY_EXISTS (the offset was written: by this request before a reconnect),
/// are success. OUT_OF_RANGE re-sends the request (the stream's end was not yet at its offset). Row errors stop the
/// append and name the rows; nothing from that request on was stored. Reconnectable failures and RESOURCE_EXHAUSTED are
/// retried by <see cref="StorageWriteRetries"/>; anything else throws <see cref="StorageWriteException"/>.</para>
/// </remarks>
public sealed class AppendConnection : IAsyncDisposable
{
    private readonly StorageWriteClient _client;
    private readonly ProtoSchema _writerSchema;
    private readonly ResiliencePipeline _retry;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly CancellationTokenSource _lifetime = new();
    private AsyncDuplexStreamingCall<AppendRowsRequest, AppendRowsResponse>? _call;
    private bool _schemaSent;
    private int _callTokenGeneration;
    private long _reconnects;
    private long _requests;
    private long _bytes;

    internal AppendConnection(StorageWriteClient client, string streamName, ProtoSchema writerSchema,
        NewTableWait? notFound)
    {
        _client = client;
        StreamName = streamName;
        _writerSchema = writerSchema;
        _retry = StorageWriteRetries.Build(client.Options, client.Observer, client.Time, notFound, Drop, client.Tokens);
    }

    public string StreamName { get; }

    /// <summary>Calls dropped after a failure (the next request opened a new one).</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>AppendRows requests sent, re-sends included.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Bytes of the requests sent (protobuf size), re-sends included.</summary>
    public long BytesSent => Interlocked.Read(ref _bytes);

    /// <summary>
    /// Appends <paramref name="rows"/> in order, in as many requests as the size limit needs, and returns once every
    /// request was acknowledged (or refused for bad rows). With <paramref name="offset"/> (a COMMITTED stream) the rows
    /// go at that offset and the next ones; without (the <c>_default</c> stream) wherever the stream ends.
    /// </summary>
    public async Task<AppendResult> AppendAsync(IReadOnlyList<ByteString> rows, long? offset, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var (start, count) in AppendRequests.Split(rows, _client.Options.MaxRequestBytes))
            {
                var protoRows = new ProtoRows();
                for (var i = start; i < start + count; i++)
                {
                    protoRows.SerializedRows.Add(rows[i]);
                }

                var errors = await SendWithOffsetResendsAsync(protoRows, offset + start, cancellationToken).ConfigureAwait(false);
                if (errors is not null)
                {
                    return new AppendResult(start, errors.ToDictionary(e => start + (int)e.Index, e => e.Message));
                }
            }

            return new AppendResult(rows.Count, new Dictionary<int, string>());
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task<IReadOnlyList<RowError>?> SendWithOffsetResendsAsync(ProtoRows rows, long? offset,
        CancellationToken cancellationToken)
    {
        for (var resend = 0; ; resend++)
        {
            try
            {
                return await _retry.ExecuteAsync(ct => SendAsync(rows, offset, ct), cancellationToken).ConfigureAwait(false);
            }
            catch (StorageWriteException ex) when (ex.Code == StatusCode.OutOfRange && resend < _client.Options.MaxOffsetResends)
            {
                // Sent past the stream's end: re-send from the last acknowledged offset, which is this request's own
                // (earlier ones were acknowledged before it was sent).
                _client.Observer.Notice($"{StreamName}: offset {offset} answered OUT_OF_RANGE; re-sending from it. ({ex.Message})");
            }
        }
    }

    private async ValueTask<IReadOnlyList<RowError>?> SendAsync(ProtoRows rows, long? offset, CancellationToken cancellationToken)
    {
        var call = _call ??= Connect();
        var request = new AppendRowsRequest { ProtoRows = new AppendRowsRequest.Types.ProtoData { Rows = rows } };
        if (offset is { } at)
        {
            request.Offset = at;
        }

        if (!_schemaSent)
        {
            request.WriteStream = StreamName;
            request.ProtoRows.WriterSchema = _writerSchema;
        }

        AppendRowsResponse response;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
        timeout.CancelAfter(_client.Options.RequestTimeout);
        try
        {
            Interlocked.Increment(ref _requests);
            Interlocked.Add(ref _bytes, request.CalculateSize());
            await call.RequestStream.WriteAsync(request, timeout.Token).ConfigureAwait(false);
            _schemaSent = true;
            if (!await call.ResponseStream.MoveNext(timeout.Token).ConfigureAwait(false))
            {
                throw Broken(StatusCode.Unavailable, "the AppendRows stream ended without answering", null);
            }

            response = call.ResponseStream.Current;
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Broken(ex.StatusCode, ex.Status.Detail, ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Broken(StatusCode.DeadlineExceeded, "no answer in time", ex);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or InvalidOperationException
            && !cancellationToken.IsCancellationRequested)
        {
            // The HTTP/2 stream broke under the call (connection reset, GOAWAY): reconnect as for UNAVAILABLE.
            throw Broken(StatusCode.Unavailable, ex.Message, ex);
        }

        if (response.ResponseCase == AppendRowsResponse.ResponseOneofCase.AppendResult)
        {
            return null;
        }

        var code = (StatusCode)(response.Error?.Code ?? (int)StatusCode.Unknown);
        if (code == StatusCode.AlreadyExists && offset is not null)
        {
            // These rows were stored by an earlier send of this request, whose answer was lost with its connection.
            return null;
        }

        if (response.RowErrors.Count > 0)
        {
            return response.RowErrors;
        }

        // The service ends the call after an error answer; the next request opens a new one.
        throw Broken(code, response.Error?.Message ?? "an error without a message", null);
    }

    private AsyncDuplexStreamingCall<AppendRowsRequest, AppendRowsResponse> Connect()
    {
        _schemaSent = false;
        // The call's credentials are added as it starts, from the token of this generation (or a newer one).
        _callTokenGeneration = _client.Tokens?.Generation ?? 0;
        return _client.Api.AppendRows(StorageWriteClient.Headers("write_stream", StreamName), deadline: null, _lifetime.Token);
    }

    private StorageWriteException Broken(StatusCode code, string detail, Exception? inner)
    {
        Drop();
        return new StorageWriteException(code, string.Create(CultureInfo.InvariantCulture,
            $"AppendRows on {StreamName}: {code}: {detail}"), inner)
        {
            TokenGeneration = _callTokenGeneration,
        };
    }

    /// <summary>Forgets a failed call; the next request opens a new one (and sends the schema again).</summary>
    private void Drop()
    {
        if (Interlocked.Exchange(ref _call, null) is { } call)
        {
            Interlocked.Increment(ref _reconnects);
            call.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _call, null) is { } call)
        {
            try
            {
                // Half-close, so the service sees a clean end of the call rather than a reset.
                await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RpcException or InvalidOperationException or IOException)
            {
                // Already broken: nothing to close cleanly.
            }

            call.Dispose();
        }

        await _lifetime.CancelAsync().ConfigureAwait(false);
        _lifetime.Dispose();
        _oneAtATime.Dispose();
    }
}
