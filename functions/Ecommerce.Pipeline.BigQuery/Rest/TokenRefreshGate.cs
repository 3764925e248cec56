namespace Ecommerce.Pipeline.BigQuery.Rest;

/// <summary>
/// One token refresh per rejected token. The processor writes several batches side by side, each in several
/// requests, so an expired token is refused with 401 to many requests at about the same time: the first asks the
/// token service for a new token, the others wait for that one and send again with it.
/// </summary>
internal sealed class TokenRefreshGate(IAccessTokenSource tokens)
{
    private readonly Lock _gate = new();
    private string? _rejected;
    private Task? _refresh;

    public async Task RefreshAsync(string rejectedToken, CancellationToken cancellationToken)
    {
        Task refresh;
        lock (_gate)
        {
            if (_refresh is null || _rejected != rejectedToken)
            {
                _rejected = rejectedToken;
                // Shared by every request that waits on it, so not tied to any one request's cancellation.
                _refresh = tokens.RefreshAsync(CancellationToken.None);
            }

            refresh = _refresh;
        }

        try
        {
            await refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (refresh.IsFaulted || refresh.IsCanceled)
        {
            // A failed refresh is not kept: the batch's next attempt asks the token service again.
            lock (_gate)
            {
                if (_refresh == refresh)
                {
                    _refresh = null;
                    _rejected = null;
                }
            }

            throw;
        }
    }
}
