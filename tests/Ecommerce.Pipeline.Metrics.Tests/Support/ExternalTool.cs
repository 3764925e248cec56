using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ecommerce.Pipeline.Metrics.Tests.Support;

/// <summary>Locates the repository, required binaries (prometheus, promtool) and free ports; runs a tool to completion.</summary>
internal static class ExternalTool
{
    public static string RepoRoot => Repository.Root;

    public static string Monitoring(params string[] parts) => Path.Combine([RepoRoot, "infra", "monitoring", .. parts]);

    /// <summary>The full path of a binary on PATH. Throws (the test fails, it does not skip) when it is missing.</summary>
    public static string Require(string name) =>
        KafkaTestKit.FindOnPath(name) ?? throw new InvalidOperationException(
            $"'{name}' is not on PATH. Install Debian's prometheus package (apt-get install -y prometheus); .ci/run does.");

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string file, IEnumerable<string> args,
        TimeSpan timeout, string? stdin = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepoRoot,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>A loopback port that was free a moment ago (the OS picks it).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Reads a Prometheus text exposition into "name{labels}" → value.</summary>
internal static class Exposition
{
    public static Dictionary<string, double> Parse(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            samples[line[..space]] = double.Parse(line[(space + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }

        return samples;
    }

    public static async Task<Dictionary<string, double>> ScrapeDefaultRegistryAsync()
    {
        using var stream = new MemoryStream();
        await Prometheus.Metrics.DefaultRegistry.CollectAndExportAsTextAsync(stream);
        return Parse(Encoding.UTF8.GetString(stream.ToArray()));
    }
}
