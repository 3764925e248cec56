using Grpc.Core;

namespace Ecommerce.Pipeline.BigQuery.StorageWrite;

/// <summary>A Storage Write API call failed: the gRPC status of the call, or the error status in an AppendRows response.</summary>
public sealed class StorageWriteException : Exception
{
    public StorageWriteException(StatusCode code, string message, Exception? inner = null) : base(message, inner) => Code = code;

    public StorageWriteException(string message) : this(StatusCode.Unknown, message)
    {
    }

    public StorageWriteException() : this(StatusCode.Unknown, "Storage Write API call failed.")
    {
    }

    public StorageWriteException(string message, Exception inner) : this(StatusCode.Unknown, message, inner)
    {
    }

    public StatusCode Code { get; }

    /// <summary>The token generation the failed call started with (<see cref="Rest.SharedAccessTokens.Generation"/>), when credentials are sent.</summary>
    internal int TokenGeneration { get; init; }

    /// <summary>
    /// The connection is worth re-opening and the request re-sending: the codes Google's Java client reconnects on
    /// (java-bigquerystorage ConnectionWorker.isConnectionErrorRetriable: ABORTED, UNAVAILABLE, CANCELLED, INTERNAL,
    /// DEADLINE_EXCEEDED), and a stream that broke or ended without an answer (reported as UNAVAILABLE).
    /// </summary>
    public bool IsReconnectable => Code is StatusCode.Aborted or StatusCode.Unavailable or StatusCode.Cancelled
        or StatusCode.Internal or StatusCode.DeadlineExceeded;

    /// <summary>RESOURCE_EXHAUSTED: a quota; backed off (java-bigquerystorage ConnectionWorker.useBackoffForError).</summary>
    public bool IsThrottled => Code == StatusCode.ResourceExhausted;

    /// <summary>Credentials refused (UNAUTHENTICATED after one token refresh, or PERMISSION_DENIED): no retry can help.</summary>
    public bool IsRefusal => Code is StatusCode.PermissionDenied or StatusCode.Unauthenticated;
}
