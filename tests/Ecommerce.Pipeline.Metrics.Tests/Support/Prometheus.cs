using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Ecommerce.Pipeline.Metrics.Tests.Support;

/// <summary>
/// A real Prometheus server (Debian's binary) on 127.0.0.1 with a temporary storage path, and a client for its
/// HTTP API.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDir _dir;
    private readonly System.Text.StringBuilder _log = new();

    private PrometheusServer(Process process, TempDir dir, int port)
    {
        _process = process;
        _dir = dir;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public HttpClient Http { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts Prometheus with <paramref name="configYaml"/> and waits until it is ready.</summary>
    public static async Task<PrometheusServer> StartAsync(string configYaml, TimeSpan timeout)
    {
        var binary = ExternalTool.Require("prometheus");
        var dir = new TempDir();
        var config = dir.File("prometheus.yml");
        await File.WriteAllTextAsync(config, configYaml);
        var port = ExternalTool.FreePort();
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
                 {
                     "--config.file=" + config, "--storage.tsdb.path=" + dir.File("data"),
                     $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
                 })
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start prometheus");
        var server = new PrometheusServer(process, dir, port);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        await Poll.UntilAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited ({process.ExitCode}):\n{server.Log}");
            }

            try
            {
                using var response = await server.Http.GetAsync(new Uri("-/ready", UriKind.Relative));
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, timeout, "prometheus ready");
        return server;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    /// <summary>An instant query; returns the <c>data</c> element, or throws with Prometheus's error.</summary>
    public async Task<QueryResult> QueryAsync(string expr, double? time = null)
    {
        var url = "api/v1/query?query=" + Uri.EscapeDataString(expr)
                  + (time is { } t ? "&time=" + t.ToString("F3", CultureInfo.InvariantCulture) : string.Empty);
        using var response = await Http.GetAsync(new Uri(url, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        if (root.GetProperty("status").GetString() != "success")
        {
            return new QueryResult(expr, false, root.GetProperty("error").GetString(), []);
        }

        var data = root.GetProperty("data");
        var samples = new List<Sample>();
        if (data.GetProperty("resultType").GetString() == "vector")
        {
            foreach (var r in data.GetProperty("result").EnumerateArray())
            {
                var labels = r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
                samples.Add(new Sample(labels, ParseValue(r.GetProperty("value")[1].GetString()!)));
            }
        }
        else if (data.GetProperty("resultType").GetString() == "scalar")
        {
            samples.Add(new Sample(new Dictionary<string, string>(), ParseValue(data.GetProperty("result")[1].GetString()!)));
        }

        return new QueryResult(expr, true, null, samples);
    }

    public async Task<JsonDocument> GetJsonAsync(string path)
    {
        var body = await Http.GetStringAsync(new Uri(path, UriKind.Relative));
        return JsonDocument.Parse(body);
    }

    private static double ParseValue(string s) => s switch
    {
        "NaN" => double.NaN,
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.Parse(s, CultureInfo.InvariantCulture),
    };

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _dir.Dispose();
    }
}

internal sealed record Sample(IReadOnlyDictionary<string, string> Labels, double Value);

internal sealed record QueryResult(string Expr, bool Ok, string? Error, IReadOnlyList<Sample> Samples);

/// <summary>Polls a condition with a deadline: the tests' only way to wait.</summary>
internal static class Poll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, Func<string>? diagnostics = null)
    {
        var deadline = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        while (!await condition())
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting for {what}. {diagnostics?.Invoke()}");
            }

            await timer.WaitForNextTickAsync();
        }
    }
}
