using Ecommerce.Pipeline.BigQuery.Rest;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>Keeps what the client and sink report, for assertions.</summary>
internal sealed class RecordingObserver : IBigQueryObserver
{
    private readonly Lock _gate = new();
    private readonly List<(string Reason, string Detail, TimeSpan Delay)> _waits = [];
    private readonly List<string> _notices = [];

    /// <summary>Called (outside the lock) after each wait is recorded.</summary>
    public Action? OnWait { get; init; }

    public IReadOnlyList<(string Reason, string Detail, TimeSpan Delay)> Waits
    {
        get
        {
            lock (_gate)
            {
                return [.. _waits];
            }
        }
    }

    public IReadOnlyList<string> Notices
    {
        get
        {
            lock (_gate)
            {
                return [.. _notices];
            }
        }
    }

    public void Waiting(string reason, string detail, TimeSpan delay)
    {
        lock (_gate)
        {
            _waits.Add((reason, detail, delay));
        }

        OnWait?.Invoke();
    }

    public void Notice(string message)
    {
        lock (_gate)
        {
            _notices.Add(message);
        }
    }
}
