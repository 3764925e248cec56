using Xunit;

namespace Ecommerce.Pipeline.TestSupport.Contracts;

/// <summary>
/// Where the project's statements of upstream contracts are (tests/contracts, copied next to the test assembly)
/// and where the upstream documents themselves are, when someone provides them: the folder named by
/// <see cref="Variable"/>. Only drift tests read upstream documents; every other test judges the code by the
/// statements, so a clone on its own runs them all.
/// </summary>
public static class UpstreamContracts
{
    /// <summary>The folder holding the upstream documents, e.g. <c>bigquery/bigquery-v2.discovery.json</c>.</summary>
    public const string Variable = "PIPELINE_UPSTREAM_CONTRACTS";

    /// <summary>On CI an absent upstream document is a failure, so drift is never silently unchecked there.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>A statement file (path relative to tests/contracts), as copied to the test output folder.</summary>
    public static string Statement(string relative) => Path.Combine(AppContext.BaseDirectory, "contracts", relative);

    /// <summary>The upstream document's path, or null when the variable is unset or the file is not there.</summary>
    public static string? Find(string relative) =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } folder
        && Path.Combine(folder, relative) is var path && File.Exists(path)
            ? path
            : null;

    /// <summary>The one line that says how to provide the document.</summary>
    public static string HowToGet(string relative, string what) =>
        $"set {Variable} to a folder holding {relative} ({what})";

    /// <summary>The upstream document's path; a failure that says how to provide it when it is absent.</summary>
    public static string Require(string relative, string what) =>
        Find(relative) ?? throw new FileNotFoundException(
            $"{relative} not found: {HowToGet(relative, what)}. {Describe()}", relative);

    private static string Describe() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } folder
            ? $"{Variable} is '{folder}'."
            : $"{Variable} is not set.";
}

/// <summary>
/// A fact that compares a statement with its upstream document. Without the document it is skipped with the line
/// that says how to get it, except on CI (<c>CI=true</c>), where it runs and fails with that line.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class UpstreamFactAttribute : FactAttribute
{
    public UpstreamFactAttribute(string relative, string what)
    {
        if (UpstreamContracts.Find(relative) is null && !UpstreamContracts.IsCi)
        {
            Skip = UpstreamContracts.HowToGet(relative, what);
        }
    }
}
