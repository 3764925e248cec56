namespace Ecommerce.Pipeline.TestSupport;

/// <summary>
/// A clock that only moves when told to, or when code sleeps on it: a timer advances the clock by its due time
/// and fires at once. So a paced producer runs at full speed while its own clock reads exactly the schedule it
/// kept, which makes rate assertions deterministic. Supports one sleeper at a time (the producer loop).
/// </summary>
public sealed class VirtualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private long _ticks;

    public VirtualTimeProvider()
        : this(new DateTimeOffset(2025, 11, 25, 12, 0, 0, TimeSpan.Zero))
    {
    }

    public TimeSpan Now => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public override DateTimeOffset GetUtcNow() => start + Now;

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _ticks, by.Ticks);
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Timer();
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            Advance(dueTime);
            ThreadPool.UnsafeQueueUserWorkItem(_ => { if (!timer.Disposed) { callback(state); } }, null);
        }

        return timer;
    }

    private sealed class Timer : ITimer
    {
        public bool Disposed { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period) => !Disposed;

        public void Dispose() => Disposed = true;

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
