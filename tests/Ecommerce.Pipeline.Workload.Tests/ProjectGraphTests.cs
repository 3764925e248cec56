using System.Xml.Linq;

namespace Ecommerce.Pipeline.Workload.Tests;

/// <summary>
/// The workload is a test and CLI concern: it knows the contract (Core) and nothing else, and the function app, which
/// only consumes, does not ship it.
/// </summary>
public sealed class ProjectGraphTests
{
    [Fact]
    public void The_workload_references_core_and_nothing_else_of_ours()
    {
        Assert.Equal(["Ecommerce.Pipeline.Core"], References("Ecommerce.Pipeline.Workload"));

        var used = typeof(SyntheticTransactions).Assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => n.StartsWith("Ecommerce.", StringComparison.Ordinal));
        Assert.Equal(["Ecommerce.Pipeline.Core"], used);
    }

    [Theory]
    [InlineData("Ecommerce.Pipeline.Functions")]
    [InlineData("Ecommerce.Pipeline.Kafka")]
    public void A_project_that_only_consumes_does_not_reach_the_workload(string project)
    {
        var reached = new HashSet<string>();
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var next))
        {
            foreach (var reference in References(next).Where(reached.Add))
            {
                pending.Push(reference);
            }
        }

        Assert.Contains("Ecommerce.Pipeline.Core", reached);
        Assert.DoesNotContain("Ecommerce.Pipeline.Workload", reached);
    }

    [Fact]
    public void The_cli_sends_the_workload()
    {
        Assert.Contains("Ecommerce.Pipeline.Workload", References("Ecommerce.Pipeline.Cli"));
    }

    /// <summary>The projects a project under functions/ references directly, by name.</summary>
    private static List<string> References(string project)
    {
        var path = Path.Combine(RepositoryRoot(), "functions", project, project + ".csproj");
        return XDocument.Load(path).Descendants("ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))
            .ToList();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Functions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"Functions.sln not found above {AppContext.BaseDirectory}.");
    }
}
