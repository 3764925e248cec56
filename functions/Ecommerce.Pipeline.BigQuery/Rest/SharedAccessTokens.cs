namespace Ecommerce.Pipeline.BigQuery.Rest;

/// <summary>
/// The bearer tokens of every call of the clients that share it (the REST client and the Storage Write client of one
/// sink), and one forced refresh when the service refuses a token (HTTP 401, gRPC UNAUTHENTICATED: a token that
/// expired early or was revoked), shared by every call that met the same token, whichever client made it. So a
/// refresh asks the token service once for both clients, and a revoked key fails both with the same error.
/// </summary>
/// <remarks>
/// Tokens are counted in generations: a call notes the generation before it starts (<see cref="Generation"/>), and a
/// refusal refreshes only if no refresh finished since, so the calls that were refused together share one refresh
/// and a call that started with an older token simply goes again with the newer one.
/// </remarks>
public sealed class SharedAccessTokens : IAccessTokenSource
{
    private readonly IAccessTokenSource _source;
    private readonly Lock _gate = new();
    private int _generation;
    private Task? _refresh;

    public SharedAccessTokens(IAccessTokenSource source) => _source = source ?? throw new ArgumentNullException(nameof(source));

    /// <summary>How many refreshes finished: note it before a call starts, pass it to <see cref="RefreshAsync(int, CancellationToken)"/>.</summary>
    public int Generation => Volatile.Read(ref _generation);

    /// <summary>Shares <paramref name="tokens"/> as they are, or wraps a plain source; null stays null (no credentials).</summary>
    internal static SharedAccessTokens? Of(IAccessTokenSource? tokens) =>
        tokens is null ? null : tokens as SharedAccessTokens ?? new SharedAccessTokens(tokens);

    /// <summary>The token for a call about to start.</summary>
    public Task<string> GetAccessTokenAsync(CancellationToken cancellationToken) => _source.GetAccessTokenAsync(cancellationToken);

    /// <summary>A new token now, or the one a refresh already under way brings.</summary>
    public Task RefreshAsync(CancellationToken cancellationToken) => RefreshAsync(Generation, cancellationToken);

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
