using System.Globalization;
using Ecommerce.Pipeline.BigQuery.Rest;
using Polly;
using Polly.Retry;

namespace Ecommerce.Pipeline.BigQuery.StorageWrite;

/// <summary>
/// How a Storage Write call is retried, as Google's Java client does (java-bigquerystorage ConnectionWorker:
/// isConnectionErrorRetriable, retryOnRetryableError, useBackoffForError): re-sent after a short exponential wait on
/// ABORTED, UNAVAILABLE, CANCELLED, INTERNAL, DEADLINE_EXCEEDED (and a broken stream); backed off in seconds, with
/// jitter and a cap, on RESOURCE_EXHAUSTED; a NOT_FOUND for a table created moments ago waited out, when the caller
/// says so; UNAUTHENTICATED re-sent once after a forced token refresh, when credentials are sent (as the REST client
/// does on a 401). Everything else fails the call at once, a second UNAUTHENTICATED and PERMISSION_DENIED too.
/// </summary>
internal static class StorageWriteRetries
{
    /// <param name="options">Attempts and delays.</param>
    /// <param name="observer">Told about every wait.</param>
    /// <param name="time">The clock of the waits.</param>
    /// <param name="notFound">For a NOT_FOUND: what is waited for, or null (fail; the function may also throw).</param>
    /// <param name="onRetry">Run before each re-send (an append connection drops its broken call here).</param>
    /// <param name="tokens">The calls' tokens, refreshed once on UNAUTHENTICATED; null when no credentials are sent.</param>
    public static ResiliencePipeline Build(StorageWriteOptions options, IBigQueryObserver observer, TimeProvider time,
        NewTableWait? notFound, Action? onRetry = null, SharedAccessTokens? tokens = null)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        void Retry(Func<StorageWriteException, bool> handles, TimeSpan delay, TimeSpan maxDelay, int attempts, string reason,
            Func<StorageWriteException, int, string> detail) =>
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is StorageWriteException ex && handles(ex)),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = options.UseJitter,
                Delay = delay,
                MaxDelay = maxDelay,
                MaxRetryAttempts = attempts,
                OnRetry = args =>
                {
                    onRetry?.Invoke();
                    observer.Waiting(reason, detail((StorageWriteException)args.Outcome.Exception!, args.AttemptNumber), args.RetryDelay);
                    return default;
                },
            });

        Retry(ex => ex.IsThrottled, options.ThrottleBaseDelay, options.ThrottleMaxDelay, options.MaxThrottleRetries,
            BigQueryWaitReasons.ResourceExhausted, (ex, _) => ex.Message);
        Retry(ex => ex.IsReconnectable, options.ReconnectBaseDelay, options.ReconnectMaxDelay, options.MaxReconnects,
            BigQueryWaitReasons.Reconnect,
            (ex, attempt) => string.Create(CultureInfo.InvariantCulture, $"reconnecting (attempt {attempt + 1}): {ex.Message}"));
        if (notFound is not null)
        {
            // Unbounded here: past the new-table window Describe throws, which ends the waiting.
            Retry(ex => ex.Code == Grpc.Core.StatusCode.NotFound && notFound.Describe(ex) is not null, notFound.BaseDelay,
                notFound.MaxDelay, int.MaxValue, BigQueryWaitReasons.TableNotReady, (ex, _) => notFound.Describe(ex) ?? "");
        }

        if (tokens is not null)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is StorageWriteException { Code: Grpc.Core.StatusCode.Unauthenticated }),
                Delay = TimeSpan.Zero,
                MaxRetryAttempts = 1,
                OnRetry = async args =>
                {
                    onRetry?.Invoke();
                    var refused = (StorageWriteException)args.Outcome.Exception!;
                    observer.Notice($"BigQuery refused the access token ({refused.Message}); refreshing it once and sending again.");
                    // A token service that refuses the credentials themselves (a revoked key) throws here: a refusal.
                    await tokens.RefreshAsync(refused.TokenGeneration, args.Context.CancellationToken).ConfigureAwait(false);
                },
            });
        }

        return builder.Build();
    }
}
