using CsCheck;
using Ecommerce.Pipeline.Cli.Autoscaling;

namespace Ecommerce.Pipeline.Cli.Tests.Autoscaling;

/// <summary>Properties over generated ScaledObjects and load profiles.</summary>
public sealed class SimulationPropertyTests
{
    /// <summary>
    /// A ScaledObject, a profile (base, peak, back to base, then silence) and a consumer fleet that can carry the peak:
    /// min(maxReplicaCount, partitions) × throughput exceeds the peak rate.
    /// </summary>
    private static readonly Gen<SimulationOptions> Inputs =
        from partitions in Gen.Int[1, 24]
        from throughput in Gen.Int[500, 20_000]
        from min in Gen.Int[0, 3]
        from extra in Gen.Int[0, 30]
        from allowIdle in Gen.Bool
        from lagThreshold in Gen.Long[1, 50_000]
        from activation in Gen.Long[0, 2_000]
        from polling in Gen.Int[5, 60]
        from cooldown in Gen.Int[0, 600]
        from startupSeconds in Gen.Int[0, 60]
        from peakShare in Gen.Double[0.05, 0.95]
        from baseShare in Gen.Double[0, 0.5]
        from peakMinutes in Gen.Int[1, 5]
        from ramp in Gen.Bool
        let max = Math.Max(1, min + extra)
        let capacity = (double)Math.Min(max, partitions) * throughput
        let peak = Math.Round(capacity * peakShare)
        let low = Math.Round(peak * baseShare)
        let profile = ramp
            ? $"{low}:1m,{low}->{peak}:1m,{peak}:{peakMinutes}m,{peak}->{low}:30s,{low}:1m,0:20m"
            : $"{low}:1m,{peak}:{peakMinutes}m,{low}:1m,0:20m"
        select new SimulationOptions(
            Scenario.ScaledObject(lagThreshold, activation, min, max, polling, cooldown, allowIdle),
            Scenario.Profile(profile), partitions, throughput, startupSeconds * 1000L);

    [Fact]
    public void With_enough_capacity_the_lag_drains_after_the_load_drops() =>
        Inputs.Sample(options =>
        {
            var result = AutoscaleSimulation.Run(options);

            // Below the activation threshold KEDA may leave a remainder at zero replicas; otherwise all is consumed.
            var allowed = options.ScaledObject.MinReplicaCount == 0 ? options.ScaledObject.Kafka.ActivationLagThreshold : 0;
            Assert.True(result.Summary.FinalLag <= allowed, $"final lag {result.Summary.FinalLag} > {allowed}");
            Assert.Equal(result.Summary.Produced, result.Summary.Consumed + result.Summary.FinalLag);
        }, iter: 60, print: o => $"{o.Profile} p={o.Partitions} T={o.ReplicaThroughput} {o.ScaledObject}");

    [Fact]
    public void Replicas_stay_within_the_scaled_object_bounds() =>
        Inputs.Sample(options =>
        {
            var so = options.ScaledObject;
            foreach (var s in AutoscaleSimulation.Run(options).Samples)
            {
                Assert.InRange(s.DesiredReplicas, so.MinReplicaCount, so.MaxReplicaCount);
                Assert.InRange(s.ReadyReplicas, 0, s.DesiredReplicas);

                // Active means at least one replica, and then at least the HPA's minimum.
                if (s.DesiredReplicas > 0)
                {
                    Assert.True(s.DesiredReplicas >= so.HpaMinReplicas, $"{s.DesiredReplicas} at {s.TimeMs} ms");
                }
            }
        }, iter: 60, print: o => $"{o.Profile} p={o.Partitions} T={o.ReplicaThroughput} {o.ScaledObject}");

    [Fact]
    public void The_same_inputs_give_the_same_output() =>
        Inputs.Sample(options =>
        {
            var first = AutoscaleSimulation.Run(options);
            var second = AutoscaleSimulation.Run(options);

            Assert.Equal(first.Samples, second.Samples);
            Assert.Equal(first.Summary, second.Summary);
            Assert.Equal(
                SimulationReport.Format(first, ReportFormat.Csv, 1_000, "x.yaml"),
                SimulationReport.Format(second, ReportFormat.Csv, 1_000, "x.yaml"));
        }, iter: 20, print: o => $"{o.Profile} p={o.Partitions} T={o.ReplicaThroughput} {o.ScaledObject}");

    [Fact]
    public void The_profile_inverse_finds_when_each_message_was_produced() =>
        Gen.Select(Gen.Int[0, 5_000], Gen.Int[0, 5_000], Gen.Int[1, 600], Gen.Double[0, 1]).Sample((from, to, seconds, where) =>
        {
            var profile = Scenario.Profile($"{from}:10s,{from}->{to}:{seconds}s,{to}:10s");
            var total = (long)Math.Floor(profile.TotalMessages);
            if (total == 0)
            {
                return;
            }

            var index = (long)(where * (total - 1));
            var at = profile.ProducedAtMs(index);

            // By that instant the count has reached index + 1, and a moment earlier it had not.
            Assert.True(profile.Cumulative(at) >= index + 1 - 1e-6, $"cumulative {profile.Cumulative(at)} at {at}");
            Assert.True(profile.Cumulative(at - 1) < index + 1 + 1e-6);
        }, iter: 500);
}
