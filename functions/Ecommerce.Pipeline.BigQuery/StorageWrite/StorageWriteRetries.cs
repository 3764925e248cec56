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
/// says so. Everything else fails the call at once.
/// </summary>
internal static class StorageWriteRetries
{
    /// <param name="options">Attempts and delays.</param>
    /// <param name="observer">Told about every wait.</param>
    /// <param name="time">The clock of the waits.</param>
    /// <param name="notFound">For a NOT_FOUND: what is waited for, or null (fail; the function may also throw).</param>
    /// <param name="onRetry">Run before each re-send (an append connection drops its broken call here).</param>
    public static ResiliencePipeline Build(StorageWriteOptions options, IBigQueryObserver observer, TimeProvider time,
        NewTableWait? notFound, Action? onRetry = null)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        builder.AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is StorageWriteException { IsThrottled: true }),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = options.UseJitter,
            Delay = options.ThrottleBaseDelay,
            MaxDelay = options.ThrottleMaxDelay,
            MaxRetryAttempts = options.MaxThrottleRetries,
            OnRetry = args =>
            {
                onRetry?.Invoke();
                observer.Waiting(BigQueryWaitReasons.ResourceExhausted, args.Outcome.Exception!.Message, args.RetryDelay);
                return default;
            },
        });
        builder.AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is StorageWriteException { IsReconnectable: true }),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = options.UseJitter,
            Delay = options.ReconnectBaseDelay,
            MaxDelay = options.ReconnectMaxDelay,
            MaxRetryAttempts = options.MaxReconnects,
            OnRetry = args =>
            {
                onRetry?.Invoke();
                observer.Waiting(BigQueryWaitReasons.Reconnect, string.Create(CultureInfo.InvariantCulture,
                    $"reconnecting (attempt {args.AttemptNumber + 1}): {args.Outcome.Exception!.Message}"), args.RetryDelay);
                return default;
            },
        });
        if (notFound is not null)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is StorageWriteException { Code: Grpc.Core.StatusCode.NotFound } ex
                    && notFound.Describe(ex) is not null),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = options.UseJitter,
                Delay = notFound.BaseDelay,
                MaxDelay = notFound.MaxDelay,
                MaxRetryAttempts = int.MaxValue, // bounded by the caller's new-table window: past it notFound throws
                OnRetry = args =>
                {
                    onRetry?.Invoke();
                    observer.Waiting(BigQueryWaitReasons.TableNotReady,
                        notFound.Describe((StorageWriteException)args.Outcome.Exception!) ?? "", args.RetryDelay);
                    return default;
                },
            });
        }

        return builder.Build();
    }
}
