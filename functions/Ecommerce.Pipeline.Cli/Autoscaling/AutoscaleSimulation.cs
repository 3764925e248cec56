namespace Ecommerce.Pipeline.Cli.Autoscaling;

// ReplicaThroughput: Messages per second one ready replica processes (across the partitions it owns).
// StartupMs: From the replica count being raised to the new pod consuming.
// TickMs: The simulation's time step; events fall on tick boundaries.
// HpaSyncPeriodMs: kube-controller-manager's --horizontal-pod-autoscaler-sync-period (15 s by default).
internal sealed record SimulationOptions(
    ScaledObjectSettings ScaledObject,
    LoadProfile Profile,
    int Partitions,
    long ReplicaThroughput,
    long StartupMs,
    long TickMs = 100,
    long HpaSyncPeriodMs = 15_000);

// The state at the end of one tick.
// InputRate: The producer's average rate over the tick that ended here (msg/s).
// DesiredReplicas: The Deployment's replica count (pods created, ready or not).
// TotalLag: Uncapped: the messages produced and not yet consumed, over all partitions.
// DelaySeconds: The age of the oldest unconsumed message (0 without lag): how late the pipeline runs.
// Metric: The value KEDA last gave the HPA (capped lag), at the latest HPA sync.
internal readonly record struct SimulationSample(
    long TimeMs, double InputRate, int ReadyReplicas, int DesiredReplicas, long TotalLag, double DelaySeconds, long Metric);

// PeakEndMs: The last instant the producer ran at its peak rate.
// DrainedAtMs: The first instant at or after PeakEndMs with no lag; null if the run ended first.
// RecoveredAtMs: The first instant after the maximum lag with no lag again; null if the run ended first.
internal sealed record SimulationSummary(
    long MaxLag,
    long MaxLagAtMs,
    double MaxDelaySeconds,
    long MaxDelayAtMs,
    int MaxReplicas,
    int MaxReadyReplicas,
    long PeakEndMs,
    long? DrainedAtMs,
    long? RecoveredAtMs,
    long FinalLag,
    long Produced,
    long Consumed)
{
    public long? TimeToDrainMs => DrainedAtMs - PeakEndMs;
}

internal sealed record SimulationResult(SimulationOptions Options, IReadOnlyList<SimulationSample> Samples, SimulationSummary Summary);

/// <summary>
/// Replays a load profile against KEDA's kafka scaler, KEDA's 0 ↔ 1 activation and cooldown, and the HPA it drives.
/// Step-based and pure: the same options give the same samples, with no clock, randomness or I/O.
/// Messages go round-robin over the partitions; each ready replica owns every R-th partition (R = ready replicas,
/// capped at the partition count, extra replicas idle) and consumes up to its throughput per second from them,
/// least-lagged partition first so the capacity is shared fairly (water-filling).
/// </summary>
internal static class AutoscaleSimulation
{
    public static SimulationResult Run(SimulationOptions options)
    {
        var so = options.ScaledObject;
        var profile = options.Profile;
        var partitions = options.Partitions;
        var tick = options.TickMs;
        var pollMs = so.PollingIntervalSeconds * 1000L;
        var ticks = (profile.DurationMs + tick - 1) / tick;

        var end = new long[partitions];
        var committed = new long[partitions];
        var lags = new long[partitions];
        var owned = new List<int>(partitions);

        // Pods by the time they become ready; the initial minReplicaCount pods are running already.
        var pods = new List<long>();
        for (var i = 0; i < so.MinReplicaCount; i++)
        {
            pods.Add(0);
        }

        var hpa = new HpaController(so.HpaMinReplicas, so.MaxReplicaCount, so.Kafka.LagThreshold, so.Behavior);
        long? lastActiveMs = null;
        long metric = 0;
        LagReading? cached = null;
        var samples = new List<SimulationSample>((int)ticks + 1);

        void Scale(int replicas, long nowMs)
        {
            while (pods.Count < replicas)
            {
                pods.Add(nowMs + options.StartupMs);
            }

            // The ReplicaSet removes not-ready and youngest pods first: the end of the list.
            if (pods.Count > replicas)
            {
                pods.RemoveRange(replicas, pods.Count - replicas);
            }
        }

        void Controllers(long nowMs)
        {
            for (var p = 0; p < partitions; p++)
            {
                lags[p] = end[p] - committed[p];
            }

            var reading = KafkaLagScaler.Read(lags, so.Kafka);
            if (nowMs % pollMs == 0)
            {
                cached = reading;

                // KEDA's scale loop (scale_executor RequestScale): activation and scale to zero; 1 ↔ N is the HPA's.
                if (KafkaLagScaler.IsActive(reading, so.Kafka))
                {
                    if (pods.Count == 0)
                    {
                        Scale(Math.Max(so.MinReplicaCount, 1), nowMs);
                    }

                    lastActiveMs = nowMs;
                }
                else if (pods.Count > 0 && so.MinReplicaCount == 0)
                {
                    // Only once the last activity is more than cooldownPeriod ago (or there never was any).
                    if (lastActiveMs is null || lastActiveMs.Value + so.CooldownPeriodSeconds * 1000L < nowMs)
                    {
                        Scale(0, nowMs);
                    }
                }
                else if (pods.Count < so.MinReplicaCount)
                {
                    Scale(so.MinReplicaCount, nowMs);
                }
            }

            if (nowMs % options.HpaSyncPeriodMs == 0)
            {
                // The HPA asks KEDA's metrics server, which queries the scaler then (a fresh reading), unless the
                // trigger opts into the value of KEDA's last poll (useCachedMetrics, kedacore/keda#2282).
                metric = so.Kafka.UseCachedMetrics && cached is { } last ? last.Metric : reading.Metric;
                Scale(hpa.Reconcile(nowMs, pods.Count, metric), nowMs);
            }
        }

        SimulationSample Sample(long nowMs, double inputRate)
        {
            var ready = 0;
            foreach (var readyAt in pods)
            {
                ready += readyAt <= nowMs ? 1 : 0;
            }

            // The oldest unconsumed message of each partition is global message committed × P + p (round-robin).
            double delayMs = 0;
            long totalLag = 0;
            for (var p = 0; p < partitions; p++)
            {
                var lag = end[p] - committed[p];
                totalLag += lag;
                if (lag > 0)
                {
                    delayMs = Math.Max(delayMs, nowMs - profile.ProducedAtMs(committed[p] * partitions + p));
                }
            }

            return new SimulationSample(nowMs, inputRate, ready, pods.Count, totalLag, Math.Max(0, delayMs) / 1000.0, metric);
        }

        Controllers(0);
        samples.Add(Sample(0, profile.RateAt(0)));

        long maxLag = 0, maxLagAt = 0, maxDelayAt = 0, consumedTotal = 0;
        double maxDelay = 0;
        int maxReplicas = pods.Count, maxReady = samples[0].ReadyReplicas;
        long? drainedAt = null;
        if (profile.PeakEndMs == 0 && samples[0].TotalLag == 0)
        {
            drainedAt = 0;
        }

        for (long k = 0; k < ticks; k++)
        {
            var t0 = k * tick;
            var t1 = t0 + tick;

            var produced = (long)Math.Floor(profile.Cumulative(t1));
            for (var p = 0; p < partitions; p++)
            {
                end[p] = (produced + partitions - 1 - p) / partitions;
            }

            // Consumption during the tick by the pods that were ready at its start.
            var ready = 0;
            foreach (var readyAt in pods)
            {
                ready += readyAt <= t0 ? 1 : 0;
            }

            var consumers = Math.Min(ready, partitions);
            var capacity = options.ReplicaThroughput * (k + 1) * tick / 1000 - options.ReplicaThroughput * k * tick / 1000;
            for (var c = 0; c < consumers; c++)
            {
                owned.Clear();
                for (var p = c; p < partitions; p += consumers)
                {
                    owned.Add(p);
                }

                consumedTotal += Drain(owned, end, committed, capacity);
            }

            Controllers(t1);
            var sample = Sample(t1, (profile.Cumulative(t1) - profile.Cumulative(t0)) * 1000.0 / tick);
            samples.Add(sample);

            if (sample.TotalLag > maxLag)
            {
                (maxLag, maxLagAt) = (sample.TotalLag, t1);
            }

            if (sample.DelaySeconds > maxDelay)
            {
                (maxDelay, maxDelayAt) = (sample.DelaySeconds, t1);
            }

            maxReplicas = Math.Max(maxReplicas, sample.DesiredReplicas);
            maxReady = Math.Max(maxReady, sample.ReadyReplicas);
            if (drainedAt is null && t1 >= profile.PeakEndMs && sample.TotalLag == 0)
            {
                drainedAt = t1;
            }
        }

        var recoveredAt = samples.FirstOrDefault(s => s.TimeMs > maxLagAt && s.TotalLag == 0) is { TimeMs: > 0 } recovered
            ? recovered.TimeMs
            : (long?)null;
        var producedTotal = (long)Math.Floor(profile.Cumulative(ticks * tick));
        var summary = new SimulationSummary(maxLag, maxLagAt, maxDelay, maxDelayAt, maxReplicas, maxReady, profile.PeakEndMs,
            drainedAt, recoveredAt, samples[^1].TotalLag, producedTotal, consumedTotal);
        return new SimulationResult(options, samples, summary);
    }

    /// <summary>
    /// Spreads one replica's capacity for a tick over its partitions, smallest lag first, each taking at most an even
    /// share of what is left, so the capacity a short partition cannot use goes to the others.
    /// </summary>
    private static long Drain(List<int> owned, long[] end, long[] committed, long capacity)
    {
        owned.Sort((a, b) =>
        {
            var byLag = (end[a] - committed[a]).CompareTo(end[b] - committed[b]);
            return byLag != 0 ? byLag : a.CompareTo(b);
        });

        long consumed = 0;
        var remaining = capacity;
        for (var i = 0; i < owned.Count && remaining > 0; i++)
        {
            var p = owned[i];
            var left = owned.Count - i;
            var share = (remaining + left - 1) / left;
            var take = Math.Min(end[p] - committed[p], share);
            committed[p] += take;
            remaining -= take;
            consumed += take;
        }

        return consumed;
    }
}
