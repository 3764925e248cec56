using System.Text.RegularExpressions;

namespace Ecommerce.Pipeline.Deploy.Tests;

/// <summary>A Dockerfile read into stages: FROM image, stage name, and the stage's instructions (continuations joined).</summary>
internal sealed partial class Dockerfile
{
    private Dockerfile(IReadOnlyList<Stage> stages) => Stages = stages;

    public IReadOnlyList<Stage> Stages { get; }

    public static Dockerfile Parse(string text)
    {
        var stages = new List<Stage>();
        foreach (var line in Instructions(text))
        {
            var match = FromPattern().Match(line);
            if (match.Success)
            {
                stages.Add(new Stage(match.Groups["image"].Value, match.Groups["name"].Success ? match.Groups["name"].Value : null, []));
            }
            else if (stages.Count > 0)
            {
                stages[^1].Instructions.Add(line);
            }
        }

        return new Dockerfile(stages);
    }

    public Stage this[string name] => Stages.Single(s => s.Name == name);

    /// <summary>Problems with a base image reference: it must carry an explicit tag (or digest) that is not "latest".</summary>
    public IEnumerable<string> UnpinnedBaseImages()
    {
        var stageNames = Stages.Select(s => s.Name).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var stage in Stages.Where(s => !stageNames.Contains(s.Image)))
        {
            var image = ImagePattern().Match(stage.Image);
            if (!image.Success || image.Groups["arg"].Success)
            {
                yield return $"{stage.Image}: not a literal image reference";
            }
            else if (!image.Groups["tag"].Success && !image.Groups["digest"].Success)
            {
                yield return $"{stage.Image}: no tag";
            }
            else if (image.Groups["tag"].Value == "latest")
            {
                yield return $"{stage.Image}: 'latest' is not a pin";
            }
        }
    }

    // Joins backslash continuations and drops comments and blank lines.
    private static IEnumerable<string> Instructions(string text)
    {
        var current = string.Empty;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd();
            if (current.Length == 0 && (line.TrimStart().StartsWith('#') || line.Trim().Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current += line[..^1] + " ";
                continue;
            }

            yield return (current + line).Trim();
            current = string.Empty;
        }

        if (current.Length > 0)
        {
            yield return current.Trim();
        }
    }

    [GeneratedRegex(@"^FROM\s+(?:--platform=\S+\s+)?(?<image>\S+)(?:\s+AS\s+(?<name>\S+))?\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FromPattern();

    [GeneratedRegex(@"^(?<arg>\$\{?\w+\}?)|^(?<repo>[a-z0-9.\-_/:]+?)(?::(?<tag>[\w][\w.\-]{0,127}))?(?:@(?<digest>sha256:[0-9a-f]{64}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex ImagePattern();

    public sealed record Stage(string Image, string? Name, List<string> Instructions)
    {
        public IEnumerable<string> Named(string instruction) => Instructions
            .Where(i => i.StartsWith(instruction + " ", StringComparison.OrdinalIgnoreCase))
            .Select(i => i[(instruction.Length + 1)..].Trim());
    }
}
