using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ecommerce.Pipeline.Functions.Tests;

/// <summary>
/// The function image (infra/docker/Dockerfile, stage <c>functions</c>) points <c>LD_LIBRARY_PATH</c> at the folders
/// where the build puts librdkafka for the host's Kafka extension: under the app folder the image copies the publish
/// output to, in <c>.azurefunctions</c> (where the Worker SDK writes the host extensions' build output), in the
/// <c>runtimes/&lt;rid&gt;/native</c> folders librdkafka.redist uses for Linux.
/// </summary>
public sealed partial class ContainerLayoutTests
{
    private const string LibRdKafkaPackage = "librdkafka.redist";
    private static readonly string[] LinuxRids = ["linux-x64", "linux-arm64"];

    [Fact]
    public void The_library_path_is_under_the_app_folder_in_the_host_extensions_folder()
    {
        var (appFolder, libraryPath) = FunctionStage();

        Assert.NotEmpty(libraryPath);
        Assert.All(libraryPath, dir => Assert.StartsWith($"{appFolder}/.azurefunctions/", dir, StringComparison.Ordinal));
        // The folder the Worker SDK writes the host extensions to, with the dependency file the host loads them by.
        Assert.True(File.Exists(Path.Combine(AppOutput(), ".azurefunctions", "function.deps.json")),
            "the build wrote no .azurefunctions/function.deps.json");
    }

    [Fact]
    public void The_library_path_names_librdkafkas_native_folder_for_each_linux_architecture_the_image_builds()
    {
        var (appFolder, libraryPath) = FunctionStage();
        var stated = libraryPath.Select(d => d[$"{appFolder}/.azurefunctions/".Length..]).Order(StringComparer.Ordinal);

        // Where librdkafka.redist puts librdkafka.so for each Linux RID, read from the app's own dependency file
        // (the app uses the same package for its dead-letter producer, so its layout is the package's).
        Assert.Equal(NativeFolders(Path.Combine(AppOutput(), "Ecommerce.Pipeline.Functions.deps.json")).Order(StringComparer.Ordinal), stated);
    }

    [Fact]
    public void With_the_official_extension_librdkafka_is_in_every_folder_of_the_library_path()
    {
        // Only a build with -p:UseOfficialKafkaExtension=true brings the host extension and its librdkafka.
        var extensions = Path.Combine(AppOutput(), ".azurefunctions");
        var deps = Path.Combine(extensions, "function.deps.json");
        if (!File.ReadAllText(deps).Contains($"\"{LibRdKafkaPackage}/", StringComparison.Ordinal))
        {
            Assert.DoesNotContain(Directory.EnumerateFiles(extensions), f => Path.GetFileName(f) == "Microsoft.Azure.WebJobs.Extensions.Kafka.dll");
            return;
        }

        var (appFolder, libraryPath) = FunctionStage();
        Assert.All(libraryPath, dir =>
            Assert.True(File.Exists(Path.Combine(AppOutput(), dir[(appFolder.Length + 1)..], "librdkafka.so")), $"no librdkafka.so in {dir}"));
        Assert.Equal(NativeFolders(deps).Order(StringComparer.Ordinal),
            libraryPath.Select(d => d[$"{appFolder}/.azurefunctions/".Length..]).Order(StringComparer.Ordinal));
    }

    // The functions stage's app folder (destination of the publish output) and its LD_LIBRARY_PATH entries.
    private static (string AppFolder, string[] LibraryPath) FunctionStage()
    {
        var text = File.ReadAllText(Repository.File("infra", "docker", "Dockerfile"));
        var instructions = Continuation().Replace(text, " ").Split('\n').Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var start = instructions.FindIndex(l => FunctionsStage().IsMatch(l));
        Assert.True(start >= 0, "the Dockerfile has no stage named functions");
        var stage = instructions.Skip(start + 1).TakeWhile(l => !l.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase)).ToList();

        var copy = Assert.Single(stage, l => l.StartsWith("COPY --from=build /out/functions ", StringComparison.Ordinal));
        var appFolder = copy.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1].TrimEnd('/');
        var path = stage.Where(l => l.StartsWith("ENV ", StringComparison.Ordinal))
            .SelectMany(l => LibraryPathSetting().Matches(l)).Select(m => m.Groups[1].Value).ToList();
        return (appFolder, Assert.Single(path).Split(':', StringSplitOptions.RemoveEmptyEntries));
    }

    private static List<string> NativeFolders(string depsFile)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(depsFile));
        var library = document.RootElement.GetProperty("targets").EnumerateObject().First().Value.EnumerateObject()
            .Single(l => l.Name.StartsWith($"{LibRdKafkaPackage}/", StringComparison.Ordinal)).Value;
        return [.. library.GetProperty("runtimeTargets").EnumerateObject()
            .Where(a => a.Value.GetProperty("assetType").GetString() == "native"
                && LinuxRids.Contains(a.Value.GetProperty("rid").GetString())
                && Path.GetFileName(a.Name) == "librdkafka.so")
            .Select(a => Path.GetDirectoryName(a.Name)!.Replace('\\', '/'))];
    }

    private static string AppOutput() => FunctionsApp.Output();

    [GeneratedRegex(@"\\\r?\n")]
    private static partial Regex Continuation();

    [GeneratedRegex(@"^FROM\s+\S+\s+AS\s+functions$", RegexOptions.IgnoreCase)]
    private static partial Regex FunctionsStage();

    [GeneratedRegex(@"(?:^ENV\s+|\s)LD_LIBRARY_PATH=(\S+)")]
    private static partial Regex LibraryPathSetting();
}
