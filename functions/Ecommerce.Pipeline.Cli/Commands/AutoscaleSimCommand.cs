using System.CommandLine;

namespace Ecommerce.Pipeline.Cli.Commands;

/// <summary><c>pipeline autoscale-sim</c>: Simulate KEDA autoscaling on Kafka lag for a load profile.</summary>
internal static class AutoscaleSimCommand
{
    public static Command Create() => new("autoscale-sim", "Simulate KEDA autoscaling on Kafka lag for a load profile");
}
