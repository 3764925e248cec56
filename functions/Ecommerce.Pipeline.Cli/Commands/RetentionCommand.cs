using System.CommandLine;

namespace Ecommerce.Pipeline.Cli.Commands;

/// <summary><c>pipeline retention</c>: Apply the rolling retention window to the warehouse.</summary>
internal static class RetentionCommand
{
    public static Command Create() => new("retention", "Apply the rolling retention window to the warehouse");
}
