using System.Text.RegularExpressions;

namespace Ecommerce.Pipeline.Deploy.Tests;

/// <summary>Static checks of infra/docker/Dockerfile (Docker itself is not available to the tests).</summary>
public sealed partial class DockerfileTests
{
    private static readonly Dockerfile File = Dockerfile.Parse(Repo.Read("infra", "docker", "Dockerfile"));

    [Fact]
    public void Every_base_image_is_pinned_to_an_explicit_tag()
    {
        Assert.NotEmpty(File.Stages);
        Assert.Empty(File.UnpinnedBaseImages());
    }

    [Theory]
    [InlineData("FROM ubuntu AS x\n")]
    [InlineData("FROM mcr.microsoft.com/dotnet/runtime:latest AS x\n")]
    [InlineData("ARG IMAGE=ubuntu:24.04\nFROM $IMAGE AS x\n")]
    public void The_pin_check_rejects_floating_images(string dockerfile)
    {
        Assert.NotEmpty(Dockerfile.Parse(dockerfile).UnpinnedBaseImages());
    }

    [Fact]
    public void The_pin_check_accepts_tags_and_digests()
    {
        const string text = "FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build\n"
            + "FROM mcr.microsoft.com/dotnet/runtime:10.0@sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef AS cli\n"
            + "FROM build AS again\n";

        Assert.Empty(Dockerfile.Parse(text).UnpinnedBaseImages());
    }

    [Fact]
    public void The_functions_target_runs_the_isolated_host_matching_the_target_framework()
    {
        var functions = File["functions"];
        var framework = Regex.Match(Repo.Read("Directory.Build.props"), "<TargetFramework>net(?<v>[0-9.]+)</TargetFramework>").Groups["v"].Value;

        Assert.Equal($"mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated{framework}", functions.Image);
        var env = string.Join(' ', functions.Named("ENV"));
        Assert.Contains("AzureWebJobsScriptRoot=/home/site/wwwroot", env, StringComparison.Ordinal);
        Assert.Contains("AzureFunctionsJobHost__Logging__Console__IsEnabled=true", env, StringComparison.Ordinal);
        Assert.Contains(functions.Named("COPY"), c => c.EndsWith(" /home/site/wwwroot", StringComparison.Ordinal));
    }

    [Fact]
    public void The_build_publishes_the_function_app_with_the_official_Kafka_extension()
    {
        var publish = File.Stages.SelectMany(s => s.Named("RUN"))
            .Single(r => r.Contains("Ecommerce.Pipeline.Functions.csproj", StringComparison.Ordinal));

        Assert.Contains("dotnet publish", publish, StringComparison.Ordinal);
        Assert.Contains("-p:UseOfficialKafkaExtension=true", publish, StringComparison.Ordinal);
        // The switch the flag drives must still exist in the project.
        Assert.Contains("'$(UseOfficialKafkaExtension)' == 'true'", Repo.Read("functions", "Ecommerce.Pipeline.Functions", "Ecommerce.Pipeline.Functions.csproj"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("functions")]
    [InlineData("cli")]
    public void Each_runtime_target_runs_as_a_numeric_non_root_user(string target)
    {
        var user = Assert.Single(File[target].Named("USER"));
        var uid = UserPattern().Match(user);

        Assert.True(uid.Success, $"USER {user} is not numeric (Kubernetes cannot verify runAsNonRoot for a name)");
        Assert.NotEqual("0", uid.Groups["uid"].Value);
        var pod = Manifests.Deployment.Json["spec"]!["template"]!["spec"]!["securityContext"]!;
        if (target == "functions")
        {
            Assert.Equal(uid.Groups["uid"].Value, pod["runAsUser"]!.ToString());
        }
    }

    [Fact]
    public void The_cli_target_runs_the_pipeline_executable_on_a_glibc_runtime()
    {
        var cli = File["cli"];
        var assembly = Regex.Match(Repo.Read("functions", "Ecommerce.Pipeline.Cli", "Ecommerce.Pipeline.Cli.csproj"), "<AssemblyName>(?<n>[^<]+)</AssemblyName>").Groups["n"].Value;

        Assert.Equal("pipeline", assembly);
        Assert.Matches(@"^mcr\.microsoft\.com/dotnet/(runtime|aspnet):[0-9.]+(-(noble|jammy|bookworm-slim|trixie-slim))?$", cli.Image);
        var entrypoint = Assert.Single(cli.Named("ENTRYPOINT"));
        Assert.Matches($@"^\[""(/app/)?{assembly}""\]$", entrypoint);
    }

    [Fact]
    public void No_secret_is_baked_into_an_image()
    {
        var text = Repo.Read("infra", "docker", "Dockerfile");

        Assert.DoesNotMatch(@"(?im)^\s*(ENV|ARG)\s+.*(Password|Secret|ConnectionString|InstrumentationKey|Token)\w*\s*=", text);
        Assert.DoesNotContain("local.settings.json", string.Join('\n', File.Stages.SelectMany(s => s.Named("COPY"))), StringComparison.Ordinal);
    }

    [Fact]
    public void The_dockerignore_keeps_build_output_data_settings_and_git_out_of_the_context()
    {
        var lines = Repo.Read(".dockerignore").Split('\n').Select(l => l.Trim()).ToHashSet(StringComparer.Ordinal);

        Assert.Superset(new HashSet<string> { "**/bin/", "**/obj/", "data/", "**/local.settings.json", ".git/" }, lines);
    }

    [GeneratedRegex(@"^(?<uid>[0-9]+)(:[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex UserPattern();
}
