using Ecommerce.Pipeline.Core.Processing;
using Polly;
using Polly.Retry;

namespace Ecommerce.Pipeline.Kafka.Consuming;

/// <summary>
/// How a failing batch is retried: exponential backoff with jitter from <see cref="BaseDelay"/> up to
/// <see cref="MaxDelay"/>, for at most <see cref="MaxAttempts"/> attempts (<see cref="int.MaxValue"/>: until the
/// writer stops). Never retried: <see cref="SinkUnavailableException"/> (the sink cannot make progress, so the run
/// stops and the host exits non-zero), any failure once the writer is stopping, and, unless
/// <see cref="RetriesCancellation"/>, an <see cref="OperationCanceledException"/>.
/// </summary>
internal sealed record BatchRetryPolicy(TimeSpan BaseDelay, TimeSpan MaxDelay, int MaxAttempts, bool RetriesCancellation)
{
    /// <summary>Called before each retry with the failure, the number of the next attempt and the delay before it.</summary>
    public Action<Exception?, int, TimeSpan>? OnRetry { get; init; }

    public ResiliencePipeline Build(CancellationToken stopping)
    {
        if (MaxAttempts <= 1)
        {
            return ResiliencePipeline.Empty;
        }

        var onRetry = OnRetry;
        var retriesCancellation = RetriesCancellation;
        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex
                    && ex is not SinkUnavailableException
                    && (retriesCancellation || ex is not OperationCanceledException)
                    && !stopping.IsCancellationRequested),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = BaseDelay,
                MaxDelay = MaxDelay,
                MaxRetryAttempts = MaxAttempts == int.MaxValue ? int.MaxValue : MaxAttempts - 1,
                OnRetry = args =>
                {
                    onRetry?.Invoke(args.Outcome.Exception, args.AttemptNumber + 1, args.RetryDelay);
                    return default;
                },
            })
            .Build();
    }
}
