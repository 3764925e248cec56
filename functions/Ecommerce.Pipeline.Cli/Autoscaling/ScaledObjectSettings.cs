namespace Ecommerce.Pipeline.Cli.Autoscaling;

/// <summary>What the simulator needs from a KEDA ScaledObject with a <c>kafka</c> trigger, defaults applied.</summary>
internal sealed record ScaledObjectSettings(
    string Name,
    int PollingIntervalSeconds,
    int CooldownPeriodSeconds,
    int MinReplicaCount,
    int MaxReplicaCount,
    KafkaTriggerSettings Kafka,
    HpaBehavior Behavior)
{
    // KEDA's ScaledObject defaults (pkg/apis/keda/v1alpha1, CRD descriptions).
    public const int DefaultPollingIntervalSeconds = 30;
    public const int DefaultCooldownPeriodSeconds = 300;
    public const int DefaultMinReplicaCount = 0;
    public const int DefaultMaxReplicaCount = 100;

    /// <summary>KEDA gives its HPA <c>minReplicas = max(minReplicaCount, 1)</c>: the HPA cannot hold zero; KEDA does 0 ↔ 1.</summary>
    public int HpaMinReplicas => Math.Max(MinReplicaCount, 1);
}

/// <summary>
/// The kafka scaler's metadata (strings in YAML, parsed as KEDA's <c>parseKafkaMetadata</c> does), and the trigger's
/// <c>useCachedMetrics</c>: when true the HPA gets the value of KEDA's last poll instead of a fresh query.
/// </summary>
internal sealed record KafkaTriggerSettings(
    long LagThreshold,
    long ActivationLagThreshold,
    bool AllowIdleConsumers = false,
    bool LimitToPartitionsWithLag = false,
    bool EnsureEvenDistributionOfPartitions = false,
    bool UseCachedMetrics = false)
{
    public const long DefaultLagThreshold = 10;
    public const long DefaultActivationLagThreshold = 0;
}

internal enum ScalingPolicyType
{
    Pods,
    Percent,
}

internal enum SelectPolicy
{
    Max,
    Min,
    Disabled,
}

internal sealed record ScalingPolicy(ScalingPolicyType Type, int Value, int PeriodSeconds);

/// <summary>One direction of <c>spec.behavior</c> of an autoscaling/v2 HPA, every field filled.</summary>
internal sealed record HpaScalingRules(int StabilizationWindowSeconds, SelectPolicy SelectPolicy, IReadOnlyList<ScalingPolicy> Policies, double Tolerance)
{
    /// <summary>The HPA controller's cluster-wide tolerance (--horizontal-pod-autoscaler-tolerance, 0.1).</summary>
    public const double DefaultTolerance = 0.1;

    /// <summary>Kubernetes' scale-up default (pkg/apis/autoscaling/v2/defaults.go): no stabilisation, max(4 pods, 100%) per 15 s.</summary>
    public static HpaScalingRules DefaultScaleUp { get; } = new(0, SelectPolicy.Max,
        [new ScalingPolicy(ScalingPolicyType.Pods, 4, 15), new ScalingPolicy(ScalingPolicyType.Percent, 100, 15)], DefaultTolerance);

    /// <summary>Kubernetes' scale-down default: 300 s window (the controller's --horizontal-pod-autoscaler-downscale-stabilization), 100% per 15 s.</summary>
    public static HpaScalingRules DefaultScaleDown { get; } = new(300, SelectPolicy.Max,
        [new ScalingPolicy(ScalingPolicyType.Percent, 100, 15)], DefaultTolerance);

    // Records compare lists by reference; the simulator's tests compare settings by value.
    public bool Equals(HpaScalingRules? other) =>
        other is not null && StabilizationWindowSeconds == other.StabilizationWindowSeconds && SelectPolicy == other.SelectPolicy
        && Tolerance.Equals(other.Tolerance) && Policies.SequenceEqual(other.Policies);

    public override int GetHashCode() => HashCode.Combine(StabilizationWindowSeconds, SelectPolicy, Tolerance, Policies.Count);
}

internal sealed record HpaBehavior(HpaScalingRules ScaleUp, HpaScalingRules ScaleDown)
{
    public static HpaBehavior Default { get; } = new(HpaScalingRules.DefaultScaleUp, HpaScalingRules.DefaultScaleDown);
}
