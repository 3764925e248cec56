using Ecommerce.Pipeline.Cli.Autoscaling;

namespace Ecommerce.Pipeline.Cli.Tests.Autoscaling;

/// <summary>The HPA's AverageValue formula, tolerance, policies and stabilisation, computed by hand.</summary>
public sealed class HpaControllerTests
{
    private static HpaScalingRules Rules(int window, SelectPolicy select, params ScalingPolicy[] policies) =>
        new(window, select, policies, HpaScalingRules.DefaultTolerance);

    [Theory]
    [InlineData(10, 105, 10)] // ratio 1.05: within the 10% tolerance, no change
    [InlineData(10, 110, 10)] // ratio 1.10: the edge is still within
    [InlineData(10, 111, 12)] // ratio 1.11: ceil(111 / 10) = 12
    [InlineData(10, 91, 10)] // ratio 0.91: within
    [InlineData(10, 89, 9)] // ratio 0.89: ceil(8.9) = 9
    [InlineData(3, 1_000, 100)] // the current count only matters for the tolerance test
    [InlineData(4, 0, 0)]
    public void Desired_is_ceil_of_metric_over_target_outside_the_tolerance(int current, long metric, int expected) =>
        Assert.Equal(expected, HpaController.MetricReplicas(current, metric, 10, 0.1, 0.1));

    [Fact]
    public void A_per_direction_tolerance_replaces_the_default()
    {
        Assert.Equal(11, HpaController.MetricReplicas(10, 105, 10, toleranceUp: 0, toleranceDown: 0.1));
        Assert.Equal(10, HpaController.MetricReplicas(10, 80, 10, toleranceUp: 0, toleranceDown: 0.25));
    }

    [Fact]
    public void Default_scale_up_allows_the_larger_of_four_pods_or_doubling_per_fifteen_seconds()
    {
        var hpa = new HpaController(1, 100, 10, HpaBehavior.Default);
        var replicas = 1;
        var seen = new List<int>();
        for (long t = 0; t <= 90_000; t += 15_000)
        {
            replicas = hpa.Reconcile(t, replicas, metric: 10_000);
            seen.Add(replicas);
        }

        // 1 → max(1+4, 2) = 5 → max(9, 10) = 10 → 20 → 40 → 80 → 100 (maxReplicas) → 100.
        Assert.Equal([5, 10, 20, 40, 80, 100, 100], seen);
    }

    [Fact]
    public void A_pods_policy_limits_the_change_within_its_period()
    {
        var behavior = HpaBehavior.Default with { ScaleUp = Rules(0, SelectPolicy.Max, new ScalingPolicy(ScalingPolicyType.Pods, 2, 60)) };
        var hpa = new HpaController(1, 100, 10, behavior);

        Assert.Equal(3, hpa.Reconcile(0, 1, 1_000));
        Assert.Equal(3, hpa.Reconcile(15_000, 3, 1_000)); // +2 already used in the last 60 s
        Assert.Equal(3, hpa.Reconcile(45_000, 3, 1_000));
        Assert.Equal(5, hpa.Reconcile(60_000, 3, 1_000)); // the event at 0 is no longer strictly inside (60 s ago)
    }

    [Fact]
    public void Select_policy_min_takes_the_smaller_change()
    {
        var up = Rules(0, SelectPolicy.Min, new ScalingPolicy(ScalingPolicyType.Pods, 4, 15), new ScalingPolicy(ScalingPolicyType.Percent, 100, 15));
        var hpa = new HpaController(1, 100, 10, HpaBehavior.Default with { ScaleUp = up });

        Assert.Equal(2, hpa.Reconcile(0, 1, 1_000)); // min(1 + 4, 1 × 2)
    }

    [Fact]
    public void Scale_down_waits_for_the_stabilisation_window_then_the_policy_allows_all_at_once()
    {
        var hpa = new HpaController(1, 100, 10, HpaBehavior.Default);
        Assert.Equal(10, hpa.Reconcile(0, 10, 100)); // recommendation 10 at t = 0

        // The lag is gone, but the highest recommendation of the last 300 s is still 10.
        for (long t = 15_000; t < 300_000; t += 15_000)
        {
            Assert.Equal(10, hpa.Reconcile(t, 10, 0));
        }

        // At 300 s the t = 0 recommendation falls out of the window (strictly after now − 300 s);
        // 100% per 15 s allows 10 → 0, clamped to minReplicas 1.
        Assert.Equal(1, hpa.Reconcile(300_000, 10, 0));
    }

    [Fact]
    public void A_scale_down_pods_policy_removes_at_most_its_value_per_period()
    {
        var down = Rules(0, SelectPolicy.Max, new ScalingPolicy(ScalingPolicyType.Pods, 1, 60));
        var hpa = new HpaController(1, 100, 10, HpaBehavior.Default with { ScaleDown = down });

        Assert.Equal(4, hpa.Reconcile(0, 5, 0));
        Assert.Equal(4, hpa.Reconcile(15_000, 4, 0));
        Assert.Equal(3, hpa.Reconcile(60_000, 4, 0));
    }

    [Fact]
    public void A_scale_down_percent_policy_truncates()
    {
        var down = Rules(0, SelectPolicy.Max, new ScalingPolicy(ScalingPolicyType.Percent, 50, 15));
        var hpa = new HpaController(1, 100, 10, HpaBehavior.Default with { ScaleDown = down });

        Assert.Equal(5, hpa.Reconcile(0, 10, 0));
        Assert.Equal(2, hpa.Reconcile(15_000, 5, 0)); // int(5 × 0.5)
        Assert.Equal(1, hpa.Reconcile(30_000, 2, 0));
    }

    [Fact]
    public void Disabled_scale_down_never_removes_pods()
    {
        var hpa = new HpaController(1, 100, 10, HpaBehavior.Default with { ScaleDown = Rules(0, SelectPolicy.Disabled) });

        Assert.Equal(8, hpa.Reconcile(0, 8, 0));
        Assert.Equal(8, hpa.Reconcile(600_000, 8, 0));
    }

    [Fact]
    public void A_scale_up_window_takes_the_lowest_recent_recommendation()
    {
        var up = HpaScalingRules.DefaultScaleUp with { StabilizationWindowSeconds = 30 };
        var hpa = new HpaController(1, 100, 10, HpaBehavior.Default with { ScaleUp = up });

        Assert.Equal(2, hpa.Reconcile(0, 2, 20)); // recommendation 2
        Assert.Equal(2, hpa.Reconcile(15_000, 2, 80)); // 8 wanted, but 2 was recommended within 30 s
        Assert.Equal(6, hpa.Reconcile(30_000, 2, 80)); // the 2 has left the window; the 8 is limited to 2 + 4
    }

    [Fact]
    public void Zero_replicas_disable_the_hpa_and_out_of_range_counts_are_clamped()
    {
        var hpa = new HpaController(2, 5, 10, HpaBehavior.Default);

        Assert.Equal(0, hpa.Reconcile(0, 0, 1_000));
        Assert.Equal(5, hpa.Reconcile(15_000, 9, 0));
        Assert.Equal(2, hpa.Reconcile(30_000, 1, 1_000));
    }
}
