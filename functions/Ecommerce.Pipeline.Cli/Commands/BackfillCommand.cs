using System.CommandLine;

namespace Ecommerce.Pipeline.Cli.Commands;

/// <summary><c>pipeline backfill</c>: Replay a time range from Kafka into the warehouse (idempotent).</summary>
internal static class BackfillCommand
{
    public static Command Create() => new("backfill", "Replay a time range from Kafka into the warehouse (idempotent)");
}
