using Ecommerce.Pipeline.Kafka.Producing;

namespace Ecommerce.Pipeline.Kafka.Tests.Producing;

public sealed class ProducePacerTests
{
    /// <summary>Releases <paramref name="count"/> messages, sleeping on the fake clock whenever told to wait.</summary>
    private static (TimeSpan Elapsed, List<TimeSpan> Waits) Release(ProducePacer pacer, VirtualTimeProvider time, int count)
    {
        var start = time.Now;
        var waits = new List<TimeSpan>();
        for (var i = 0; i < count; i++)
        {
            TimeSpan wait;
            while ((wait = pacer.NextDelay()) > TimeSpan.Zero)
            {
                waits.Add(wait);
                time.Advance(wait);
            }
        }

        return (time.Now - start, waits);
    }

    [Theory]
    [InlineData(1_000, 100.0)]
    [InlineData(10_000, 833.0)]
    [InlineData(50_000, 20_000.0)]
    [InlineData(30, 3.0)]
    public void N_messages_at_rate_R_take_N_over_R_seconds(int count, double rate)
    {
        var time = new VirtualTimeProvider();
        var pacer = new ProducePacer(rate, time);

        var (elapsed, waits) = Release(pacer, time, count);

        var expected = count / rate;
        Assert.InRange(elapsed.TotalSeconds, expected * 0.95, expected * 1.05);
        Assert.Equal(count, pacer.Released);
        // Coarse sleeps, never a spin of tiny waits.
        Assert.All(waits, w => Assert.True(w >= ProducePacer.MinimumWait));
    }

    [Fact]
    public void At_a_high_rate_messages_go_in_small_bursts_between_coarse_sleeps()
    {
        var time = new VirtualTimeProvider();
        var (_, waits) = Release(new ProducePacer(100_000, time), time, 100_000);

        // One second of messages in at most one sleep per MinimumWait, not one per message.
        Assert.InRange(waits.Count, 1, (int)(TimeSpan.FromSeconds(1) / ProducePacer.MinimumWait) + 1);
    }

    [Fact]
    public void A_stall_is_caught_up_so_the_average_holds()
    {
        var time = new VirtualTimeProvider();
        var pacer = new ProducePacer(100, time);
        Release(pacer, time, 100);

        // The sender was stuck for two seconds: the 200 messages it owes go without waiting.
        time.Advance(TimeSpan.FromSeconds(2));
        var before = time.Now;
        var (burst, _) = Release(pacer, time, 200);
        Assert.Equal(before, time.Now);
        Assert.Equal(TimeSpan.Zero, burst);

        var (rest, _) = Release(pacer, time, 700);
        Assert.InRange(time.Now.TotalSeconds, 9.5, 10.5);
        Assert.True(rest > TimeSpan.Zero);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0.0)]
    public void No_rate_means_no_waiting(double? rate)
    {
        var time = new VirtualTimeProvider();
        var pacer = new ProducePacer(rate, time);

        Assert.True(pacer.IsUnlimited);
        var (elapsed, waits) = Release(pacer, time, 10_000);
        Assert.Equal(TimeSpan.Zero, elapsed);
        Assert.Empty(waits);
    }
}
