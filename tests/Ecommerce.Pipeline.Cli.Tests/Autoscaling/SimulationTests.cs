using Ecommerce.Pipeline.Cli.Autoscaling;

namespace Ecommerce.Pipeline.Cli.Tests.Autoscaling;

/// <summary>Whole runs whose turning points can be worked out by hand.</summary>
public sealed class SimulationTests
{
    [Fact]
    public void Lag_at_or_below_the_activation_threshold_keeps_zero_replicas()
    {
        // 5 msg/s for 3 minutes = 900 messages of lag, never above activationLagThreshold 1,000.
        var result = Scenario.Run(Scenario.ScaledObject(activation: 1_000), "5:3m");

        Assert.All(result.Samples, s => Assert.Equal(0, s.DesiredReplicas));
        Assert.Equal(900, result.Summary.FinalLag);
        Assert.Equal(0, result.Summary.Consumed);
    }

    [Fact]
    public void Activation_scales_from_zero_at_the_first_poll_after_the_lag_exceeds_the_threshold()
    {
        // 10 msg/s: the lag passes 1,000 at 100 s; KEDA polls every 30 s, so it sees 1,200 at 120 s and scales to 1.
        // The HPA syncs at the same instant and keeps 1: ceil(1,200 / 10,000).
        var result = Scenario.Run(Scenario.ScaledObject(lagThreshold: 10_000, activation: 1_000), "10:3m");

        Assert.Equal(0, result.At(119.9).DesiredReplicas);
        Assert.Equal(1, result.At(120).DesiredReplicas);
        Assert.Equal(0, result.At(134.9).ReadyReplicas); // 15 s startup
        Assert.Equal(1, result.At(135).ReadyReplicas);
        Assert.Equal(0, result.At(150).TotalLag);
    }

    [Fact]
    public void Scale_to_zero_happens_only_after_the_cooldown_since_the_last_active_poll()
    {
        // Polls every 10 s. 100 msg/s for 30 s: active at 10 s (lag 1,000), and the one replica (ready at once)
        // keeps the lag at 0 from ~11 s, so 10 s was the last active poll. Cooldown 60 s: 10 + 60 = 70 is not
        // before 70, so the scale to zero comes at the 80 s poll.
        var so = Scenario.ScaledObject(polling: 10, cooldown: 60);
        var result = Scenario.Run(so, "100:30s,0:2m", partitions: 4, throughput: 1_000, startupMs: 0);

        Assert.Equal(0, result.At(9.9).DesiredReplicas);
        Assert.Equal(1, result.At(10).DesiredReplicas);
        Assert.Equal(0, result.At(20).TotalLag);
        Assert.Equal(1, result.At(70).DesiredReplicas);
        Assert.Equal(1, result.At(79.9).DesiredReplicas);
        Assert.Equal(0, result.At(80).DesiredReplicas);
    }

    [Fact]
    public void With_min_replicas_above_zero_the_deployment_never_goes_to_zero()
    {
        var result = Scenario.Run(Scenario.ScaledObject(min: 2, polling: 10, cooldown: 0), "100:30s,0:5m");

        Assert.All(result.Samples, s => Assert.True(s.DesiredReplicas >= 2, $"{s.DesiredReplicas} replicas at {s.TimeMs} ms"));
    }

    [Fact]
    public void The_hpa_sees_the_capped_lag_so_replicas_stop_at_the_partition_count()
    {
        // 4 partitions, threshold 10, a flood far beyond 4 replicas' 100 msg/s: the metric is capped at 4 × 10.
        var so = Scenario.ScaledObject(lagThreshold: 10, max: 50, polling: 10);
        var result = Scenario.Run(so, "1000:5m", partitions: 4, throughput: 100);

        Assert.Equal(4, result.Summary.MaxReplicas);
        Assert.Equal(40, result.At(300).Metric);
        Assert.True(result.At(300).TotalLag > 10_000);
    }

    [Fact]
    public void Allowing_idle_consumers_lets_replicas_pass_the_partition_count()
    {
        var so = Scenario.ScaledObject(lagThreshold: 10, max: 50, polling: 10, allowIdle: true);
        var result = Scenario.Run(so, "1000:5m", partitions: 4, throughput: 100);

        Assert.Equal(50, result.Summary.MaxReplicas);

        // Replicas beyond the partitions sit idle: the consumption is still 4 × 100 msg/s at most.
        Assert.True(result.Summary.Consumed <= 4 * 100 * 300);
    }

    [Fact]
    public void Default_behavior_scales_up_four_or_double_per_hpa_sync()
    {
        // Threshold 10 and a heavy load: every HPA sync wants the maximum; the default policies allow
        // 1 → 5 → 10 → 20 at the 15 s syncs after activation at 0 (min 1 keeps one pod from the start).
        var so = Scenario.ScaledObject(lagThreshold: 10, min: 1, max: 20, allowIdle: true);
        var result = Scenario.Run(so, "100000:2m", partitions: 32, throughput: 1_000);

        Assert.Equal(1, result.At(14.9).DesiredReplicas);
        Assert.Equal(5, result.At(15).DesiredReplicas);
        Assert.Equal(10, result.At(30).DesiredReplicas);
        Assert.Equal(20, result.At(45).DesiredReplicas);
        Assert.Equal(20, result.Summary.MaxReplicas);
    }

    [Fact]
    public void With_cached_metrics_the_hpa_acts_on_the_value_of_the_last_keda_poll()
    {
        // One replica at 100 msg/s under 1,000 msg/s. A fresh query at the 15 s HPA sync sees the lag and scales out;
        // with useCachedMetrics the HPA gets the t = 0 poll's lag of 0 until KEDA polls again at 30 s.
        var fresh = Scenario.ScaledObject(min: 1, polling: 30);
        var cached = fresh with { Kafka = fresh.Kafka with { UseCachedMetrics = true } };

        Assert.True(Scenario.Run(fresh, "1000:1m", throughput: 100).At(15).DesiredReplicas > 1);
        var result = Scenario.Run(cached, "1000:1m", throughput: 100);
        Assert.Equal(1, result.At(15).DesiredReplicas);
        Assert.Equal(0, result.At(15).Metric);
        Assert.True(result.At(30).DesiredReplicas > 1);
    }

    [Fact]
    public void Delay_is_the_age_of_the_oldest_unconsumed_message()
    {
        // No consumer at all (activation never reached): the oldest message is the first one, produced at 0.1 s.
        var result = Scenario.Run(Scenario.ScaledObject(activation: 1_000_000), "10:1m", partitions: 1);

        Assert.Equal(59.9, result.At(60).DelaySeconds, precision: 6);
        Assert.Equal(600, result.At(60).TotalLag);
    }

    [Fact]
    public void The_example_ramp_drains_after_the_peak_with_the_default_throughput()
    {
        var so = Scenario.ScaledObject(lagThreshold: 5_000, min: 1, max: 12, polling: 15, cooldown: 300);
        var result = Scenario.Run(so, "833:2m,833->20000:1m,20000:5m,833:5m");

        Assert.NotNull(result.Summary.DrainedAtMs);
        Assert.Equal(8 * 60_000, result.Summary.PeakEndMs);
        Assert.True(result.Summary.MaxLag > 0, "one replica cannot take the ramp without lag");
        Assert.True(result.Summary.RecoveredAtMs > result.Summary.MaxLagAtMs);
        Assert.InRange(result.Summary.MaxReplicas, 2, 12);
        Assert.Equal(result.Summary.Produced, result.Summary.Consumed + result.Summary.FinalLag);
    }
}
