namespace Ecommerce.Pipeline.Cli.Autoscaling;

/// <summary>
/// The Kubernetes HPA controller's arithmetic for one HPA with one External metric and an AverageValue target
/// (pkg/controller/podautoscaler: replica_calculator.go GetExternalPerPodMetricReplicas, horizontal.go
/// normalizeDesiredReplicasWithBehaviors). Time is injected: each call says "now", so runs are deterministic.
/// </summary>
internal sealed class HpaController(int minReplicas, int maxReplicas, long targetAverageValue, HpaBehavior behavior)
{
    private readonly List<(long AtMs, int Replicas)> _recommendations = [];
    private readonly List<(long AtMs, int Change)> _scaleUpEvents = [];
    private readonly List<(long AtMs, int Change)> _scaleDownEvents = [];

    /// <summary>
    /// Replicas for the metric alone: the current count when the usage ratio is within tolerance, else
    /// ceil(metric / target). The current count only enters through the tolerance test.
    /// </summary>
    public static int MetricReplicas(int currentReplicas, long metric, long target, double toleranceUp, double toleranceDown)
    {
        var ratio = metric / ((double)target * currentReplicas);
        if (1.0 - toleranceDown <= ratio && ratio <= 1.0 + toleranceUp)
        {
            return currentReplicas;
        }

        return (int)Math.Min(int.MaxValue, Math.Ceiling(metric / (double)target));
    }

    /// <summary>One sync of the HPA at <paramref name="nowMs"/>; returns the replica count it sets.</summary>
    public int Reconcile(long nowMs, int currentReplicas, long metric)
    {
        int desired;
        if (currentReplicas == 0)
        {
            // Scaling is disabled at zero replicas (minReplicas > 0): KEDA owns 0 ↔ 1.
            return 0;
        }
        else if (currentReplicas > maxReplicas)
        {
            desired = maxReplicas;
        }
        else if (currentReplicas < minReplicas)
        {
            desired = minReplicas;
        }
        else
        {
            var metricReplicas = MetricReplicas(currentReplicas, metric, targetAverageValue, behavior.ScaleUp.Tolerance, behavior.ScaleDown.Tolerance);
            var stabilized = Stabilize(nowMs, currentReplicas, metricReplicas);
            desired = LimitRate(nowMs, currentReplicas, stabilized);
        }

        // Events older than every policy period no longer limit anything.
        var keepMs = behavior.ScaleUp.Policies.Concat(behavior.ScaleDown.Policies).Select(p => p.PeriodSeconds * 1000L).DefaultIfEmpty(0).Max();
        _scaleUpEvents.RemoveAll(e => e.AtMs <= nowMs - keepMs);
        _scaleDownEvents.RemoveAll(e => e.AtMs <= nowMs - keepMs);
        if (desired != currentReplicas)
        {
            var events = desired > currentReplicas ? _scaleUpEvents : _scaleDownEvents;
            events.Add((nowMs, Math.Abs(desired - currentReplicas)));
        }

        return desired;
    }

    /// <summary>
    /// stabilizeRecommendationWithBehaviors: the result is held between the lowest recommendation of the scale-up window
    /// and the highest of the scale-down window (both including this one), starting from the current count.
    /// </summary>
    private int Stabilize(long nowMs, int currentReplicas, int recommendation)
    {
        var upCutoff = nowMs - behavior.ScaleUp.StabilizationWindowSeconds * 1000L;
        var downCutoff = nowMs - behavior.ScaleDown.StabilizationWindowSeconds * 1000L;
        var up = recommendation;
        var down = recommendation;
        foreach (var (at, replicas) in _recommendations)
        {
            if (at > upCutoff)
            {
                up = Math.Min(up, replicas);
            }

            if (at > downCutoff)
            {
                down = Math.Max(down, replicas);
            }
        }

        _recommendations.RemoveAll(r => r.AtMs <= upCutoff && r.AtMs <= downCutoff);
        _recommendations.Add((nowMs, recommendation));

        var result = currentReplicas;
        if (result < up)
        {
            result = up;
        }

        if (result > down)
        {
            result = down;
        }

        return result;
    }

    /// <summary>convertDesiredReplicasWithBehaviorRate: the policies cap the change per period; min/max bound the result.</summary>
    private int LimitRate(long nowMs, int currentReplicas, int desired)
    {
        if (desired > currentReplicas)
        {
            var limit = Math.Max(ScaleUpLimit(nowMs, currentReplicas), currentReplicas);
            return Math.Min(desired, Math.Min(maxReplicas, limit));
        }

        if (desired < currentReplicas)
        {
            var limit = Math.Min(ScaleDownLimit(nowMs, currentReplicas), currentReplicas);
            return Math.Max(desired, Math.Max(minReplicas, limit));
        }

        return desired;
    }

    private int ScaleUpLimit(long nowMs, int currentReplicas)
    {
        var rules = behavior.ScaleUp;
        if (rules.SelectPolicy == SelectPolicy.Disabled)
        {
            return currentReplicas;
        }

        var min = rules.SelectPolicy == SelectPolicy.Min;
        var result = min ? int.MaxValue : int.MinValue;
        foreach (var policy in rules.Policies)
        {
            var start = currentReplicas - ChangeInPeriod(_scaleUpEvents, nowMs, policy.PeriodSeconds)
                        + ChangeInPeriod(_scaleDownEvents, nowMs, policy.PeriodSeconds);
            var proposed = policy.Type == ScalingPolicyType.Pods
                ? start + policy.Value
                // Rounded up, or a small deployment could never grow by a percentage.
                : (int)Math.Ceiling(start * (1 + policy.Value / 100.0));
            result = min ? Math.Min(result, proposed) : Math.Max(result, proposed);
        }

        return result;
    }

    private int ScaleDownLimit(long nowMs, int currentReplicas)
    {
        var rules = behavior.ScaleDown;
        if (rules.SelectPolicy == SelectPolicy.Disabled)
        {
            return currentReplicas;
        }

        // For scale-down the smallest change is the highest count.
        var min = rules.SelectPolicy == SelectPolicy.Min;
        var result = min ? int.MinValue : int.MaxValue;
        foreach (var policy in rules.Policies)
        {
            var start = currentReplicas - ChangeInPeriod(_scaleUpEvents, nowMs, policy.PeriodSeconds)
                        + ChangeInPeriod(_scaleDownEvents, nowMs, policy.PeriodSeconds);
            var proposed = policy.Type == ScalingPolicyType.Pods
                ? start - policy.Value
                : (int)(start * (1 - policy.Value / 100.0));
            result = min ? Math.Max(result, proposed) : Math.Min(result, proposed);
        }

        return result;
    }

    /// <summary>getReplicasChangePerPeriod: the changes strictly after now − period.</summary>
    private static int ChangeInPeriod(List<(long AtMs, int Change)> events, long nowMs, int periodSeconds)
    {
        var cutoff = nowMs - periodSeconds * 1000L;
        var sum = 0;
        foreach (var (at, change) in events)
        {
            if (at > cutoff)
            {
                sum += change;
            }
        }

        return sum;
    }
}
