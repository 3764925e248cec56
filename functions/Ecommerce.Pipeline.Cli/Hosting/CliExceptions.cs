namespace Ecommerce.Pipeline.Cli.Hosting;

/// <summary>A failure the user can act on (exit 1, one clear message).</summary>
internal sealed class RuntimeFailureException(string message) : Exception(message);

/// <summary>Options that contradict each other, or a setting with a value that is not allowed (exit 2).</summary>
internal sealed class UsageException(string message) : Exception(message);
