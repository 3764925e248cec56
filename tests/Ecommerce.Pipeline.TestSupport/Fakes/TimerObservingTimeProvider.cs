using Microsoft.Extensions.Time.Testing;

namespace Ecommerce.Pipeline.TestSupport;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that reports the timers created on it and how many have fired. Code under test
/// often schedules its timer some moments after the event a test can observe (a retry is counted, then its delay
/// starts); a test that advances the clock in between moves time before the timer exists, and the timer then
/// counts from the advanced time. Waiting on <see cref="WaitForTimersAsync"/> instead makes the advance exact.
/// </summary>
public sealed class TimerObservingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Lock _gate = new();
    private readonly List<TimeSpan> _dueTimes = [];
    private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];
    private int _fired;

    /// <summary>The due times of the timers created so far, in creation order.</summary>
    public IReadOnlyList<TimeSpan> DueTimes
    {
        get
        {
            lock (_gate)
            {
                return [.. _dueTimes];
            }
        }
    }

    /// <summary>
    /// Timer callbacks run so far. FakeTimeProvider runs due callbacks on the thread that advances the clock, so this
    /// is exact as soon as <see cref="FakeTimeProvider.Advance"/> returns.
    /// </summary>
    public int Fired => Volatile.Read(ref _fired);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = base.CreateTimer(s => { Interlocked.Increment(ref _fired); callback(s); }, state, dueTime, period);

        // Signalled only now that the base clock holds the timer, so an advance that follows the wait reaches it.
        List<TaskCompletionSource> released;
        lock (_gate)
        {
            _dueTimes.Add(dueTime);
            released = [.. _waiters.Where(w => w.Count <= _dueTimes.Count).Select(w => w.Signal)];
            _waiters.RemoveAll(w => w.Count <= _dueTimes.Count);
        }

        released.ForEach(s => s.SetResult());
        return timer;
    }

    /// <summary>Completes once at least <paramref name="count"/> timers have been created on this clock.</summary>
    public Task WaitForTimersAsync(int count)
    {
        lock (_gate)
        {
            if (_dueTimes.Count >= count)
            {
                return Task.CompletedTask;
            }

            // Continuations run elsewhere: never inside CreateTimer, before the code under test holds its timer.
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, signal));
            return signal.Task;
        }
    }
}
