using Ecommerce.Pipeline.BigQuery.Rest;

namespace Ecommerce.Pipeline.BigQuery.StorageWrite;

/// <summary>
/// The bearer token of each Storage Write call, and one forced refresh when the service refuses it (UNAUTHENTICATED:
/// a token that expired early or was revoked), shared by the calls that met the same token, as the REST client's
/// <see cref="TokenRefreshGate"/> does for a 401.
/// </summary>
/// <remarks>
/// Tokens are counted in generations: a call notes the generation before it starts (<see cref="Generation"/>), and a
/// refusal refreshes only if no refresh finished since, so the calls that were refused together share one refresh
/// and a call that started with an older token simply goes again with the newer one.
/// </remarks>
internal sealed class CallTokens
{
    private readonly IAccessTokenSource _source;
    private readonly Lock _gate = new();
    private int _generation;
    private Task? _refresh;

    public CallTokens(IAccessTokenSource source) => _source = source;

    /// <summary>How many refreshes finished: note it before a call starts, pass it to <see cref="RefreshAsync"/>.</summary>
    public int Generation => Volatile.Read(ref _generation);

    /// <summary>The token for a call about to start.</summary>
    public Task<string> GetAsync(CancellationToken cancellationToken) => _source.GetAccessTokenAsync(cancellationToken);

    /// <summary>A new token after a call that started at <paramref name="seenGeneration"/> was refused.</summary>
    public Task RefreshAsync(int seenGeneration, CancellationToken cancellationToken)
    {
        Task refresh;
        lock (_gate)
        {
            if (_generation != seenGeneration)
            {
                return Task.CompletedTask;
            }

            // Shared by every refused call, so not tied to any one call's cancellation.
            refresh = _refresh ??= RunAsync();
        }

        return refresh.WaitAsync(cancellationToken);
    }

    private async Task RunAsync()
    {
        try
        {
            await _source.RefreshAsync(CancellationToken.None).ConfigureAwait(false);
            lock (_gate)
            {
                _generation++;
            }
        }
        finally
        {
            // A failed refresh is not kept: the batch's next attempt asks the token service again.
            lock (_gate)
            {
                _refresh = null;
            }
        }
    }
}
