namespace Ecommerce.Pipeline.TestSupport;

/// <summary>The repository under test: the folder holding Functions.sln, found above the test binaries.</summary>
public static class Repository
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    public static string Root => RootPath.Value;

    /// <summary>A path inside the repository, e.g. <c>File("infra", "monitoring")</c>.</summary>
    public static string File(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "Functions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"Functions.sln not found above {AppContext.BaseDirectory}.");
    }
}
