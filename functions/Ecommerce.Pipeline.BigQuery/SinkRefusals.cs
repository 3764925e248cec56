using Ecommerce.Pipeline.BigQuery.Rest;
using Ecommerce.Pipeline.BigQuery.StorageWrite;
using Ecommerce.Pipeline.Core.Processing;

namespace Ecommerce.Pipeline.BigQuery;

/// <summary>Turns a refusal that no retry can fix into <see cref="SinkUnavailableException"/>, so the host stops loudly.</summary>
internal static class SinkRefusals
{
    /// <summary>
    /// Credentials refused (a 401 that outlived one token refresh, or a 403 other than rate and quota limits; on the
    /// Storage Write API PERMISSION_DENIED or UNAUTHENTICATED): the host stops instead of stalling on the batch forever.
    /// (A table gone mid-run is reported the same way where it is noticed.)
    /// </summary>
    public static async Task<T> AreFatal<T>(Func<Task<T>> write)
    {
        try
        {
            return await write().ConfigureAwait(false);
        }
        catch (BigQueryException ex) when (!ex.IsTransient && !ex.IsThrottled
            && ex.Status is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden)
        {
            throw new SinkUnavailableException($"BigQuery refuses the write and retrying cannot help: {ex.Message}", ex);
        }
        catch (StorageWriteException ex) when (ex.IsRefusal)
        {
            throw new SinkUnavailableException($"BigQuery refuses the write and retrying cannot help: {ex.Message}", ex);
        }
    }
}
