namespace Ecommerce.Pipeline.Kafka.Producing;

/// <summary>
/// Holds a send rate against an absolute schedule (message <c>n</c> is due <c>n / rate</c> seconds after the
/// start), so timer jitter and slow sends are caught up and the average rate over a run stays on target.
/// Waits are coarse (at least <see cref="MinimumWait"/>): at high rates messages go in small bursts rather
/// than through a busy spin.
/// </summary>
public sealed class ProducePacer
{
    /// <summary>The shortest wait handed out; finer sleeps are not honoured by OS timers anyway.</summary>
    public static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(2);

    private readonly TimeProvider _time;
    private readonly double _rate;
    private readonly long _start;
    private long _released;

    /// <param name="rate">Messages per second; <c>null</c>, zero or negative means unlimited.</param>
    /// <param name="time">The clock the schedule runs on.</param>
    public ProducePacer(double? rate, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (rate is { } r && (double.IsNaN(r) || double.IsInfinity(r)))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The rate must be a finite number.");
        }

        _time = time;
        _rate = rate is > 0 ? rate.Value : 0;
        _start = time.GetTimestamp();
    }

    public bool IsUnlimited => _rate == 0;

    /// <summary>Messages released so far.</summary>
    public long Released => _released;

    /// <summary>
    /// Zero when the next message may go now (and counts it as released); otherwise how long to wait before
    /// asking again.
    /// </summary>
    public TimeSpan NextDelay()
    {
        if (IsUnlimited)
        {
            _released++;
            return TimeSpan.Zero;
        }

        var elapsed = _time.GetElapsedTime(_start).TotalSeconds;
        var due = _released / _rate;
        if (due <= elapsed)
        {
            _released++;
            return TimeSpan.Zero;
        }

        var wait = TimeSpan.FromSeconds(due - elapsed);
        return wait < MinimumWait ? MinimumWait : wait;
    }
}
