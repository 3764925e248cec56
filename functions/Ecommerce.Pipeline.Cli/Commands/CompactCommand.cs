using System.CommandLine;

namespace Ecommerce.Pipeline.Cli.Commands;

/// <summary><c>pipeline compact</c>: Compact one day of the warehouse: one row per transaction_id, sorted.</summary>
internal static class CompactCommand
{
    public static Command Create() => new("compact", "Compact one day of the warehouse: one row per transaction_id, sorted");
}
