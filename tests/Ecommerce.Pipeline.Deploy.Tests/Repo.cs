using System.Text.Json.Nodes;

namespace Ecommerce.Pipeline.Deploy.Tests;

/// <summary>
/// Paths of the repository under test (the folder holding Functions.sln).
/// </summary>
internal static class Repo
{
    private static readonly Lazy<string> RootPath = new(() => FindUp(dir => System.IO.File.Exists(Path.Combine(dir, "Functions.sln")))
        ?? throw new DirectoryNotFoundException($"Functions.sln not found above {AppContext.BaseDirectory}"));


    public static string Root => RootPath.Value;

    public static string File(params string[] parts) => Path.Combine([Root, .. parts]);

    public static string Read(params string[] parts) => System.IO.File.ReadAllText(File(parts));

    public static JsonNode ReadJson(params string[] parts) =>
        JsonNode.Parse(Read(parts), documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!;

    /// <summary>Path relative to the repository root, with '/' separators, for messages and theory data.</summary>
    public static string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    private static string? FindUp(Func<string, bool> match)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (match(dir.FullName))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
