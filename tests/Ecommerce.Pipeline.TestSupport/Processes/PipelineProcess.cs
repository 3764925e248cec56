using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Ecommerce.Pipeline.TestSupport;

/// <summary>
/// A real <c>pipeline</c> child process (the built CLI, run with <c>dotnet pipeline.dll</c>), with its output captured
/// line by line so tests can wait on what it prints instead of sleeping.
/// </summary>
public sealed partial class PipelineProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly SemaphoreSlim _lineArrived = new(0);
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PipelineProcess(Process process) => _process = process;

    /// <summary>Where the built CLI is by default: next to the tests (a project that references it).</summary>
    public static string PipelineDll => Path.Combine(AppContext.BaseDirectory, "pipeline.dll");

    /// <summary>
    /// The CLI's own output folder, functions/Ecommerce.Pipeline.Cli/bin/{Configuration}/{framework} in the
    /// configuration the tests run in: for tests whose own folder holds assemblies the CLI must not run with.
    /// </summary>
    public static string CliOutputDirectory
    {
        get
        {
            var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            return Repository.File("functions", "Ecommerce.Pipeline.Cli", "bin", framework.Parent!.Name, framework.Name);
        }
    }

    public int Id => _process.Id;
    public IReadOnlyCollection<string> StdoutLines => _stdout.ToArray();
    public IReadOnlyCollection<string> StderrLines => _stderr.ToArray();
    public string Stdout => string.Join('\n', _stdout);
    public string Stderr => string.Join('\n', _stderr);

    /// <summary>Both streams, stdout first (for messages that may be on either).</summary>
    public string Output => Stdout + "\n" + Stderr;

    public bool HasExited => _process.HasExited;

    // pipelineDirectory: the CLI's folder when it is not next to the tests (see PipelineDll).
    public static PipelineProcess Start(IEnumerable<string> args, string? workingDirectory = null,
        IDictionary<string, string>? environment = null, string? stdin = null, string? pipelineDirectory = null)
    {
        var dll = pipelineDirectory is null ? PipelineDll : Path.Combine(pipelineDirectory, "pipeline.dll");
        return StartProgram("dotnet", [dll, .. args], workingDirectory ?? Path.GetDirectoryName(dll)!, environment, stdin);
    }

    /// <summary>
    /// Any program with the same capture, e.g. another built app started the way its own host starts it. The
    /// contract's settings are removed from the inherited environment, as for <c>pipeline</c>.
    /// </summary>
    public static PipelineProcess StartProgram(string fileName, IEnumerable<string> args, string workingDirectory,
        IDictionary<string, string>? environment = null, string? stdin = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // Settings from the test runner's environment must not leak into the child.
        foreach (var name in Ecommerce.Pipeline.Core.Configuration.SettingNames.All)
        {
            info.Environment.Remove(name);
        }

        if (environment is not null)
        {
            foreach (var (k, v) in environment)
            {
                info.Environment[k] = v;
            }
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var wrapper = new PipelineProcess(process);
        process.OutputDataReceived += (_, e) => wrapper.OnLine(e.Data, wrapper._stdout, wrapper._stdoutClosed);
        process.ErrorDataReceived += (_, e) => wrapper.OnLine(e.Data, wrapper._stderr, wrapper._stderrClosed);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }

        process.StandardInput.Close();
        return wrapper;
    }

    /// <summary>Runs to completion and returns the exit code.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IEnumerable<string> args,
        TimeSpan timeout, string? workingDirectory = null, IDictionary<string, string>? environment = null, string? stdin = null,
        string? pipelineDirectory = null)
    {
        await using var p = Start(args, workingDirectory, environment, stdin, pipelineDirectory);
        var code = await p.WaitForExitAsync(timeout);
        return (code, p.Stdout, p.Stderr);
    }

    private void OnLine(string? line, ConcurrentQueue<string> queue, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
        }
        else
        {
            queue.Enqueue(line);
        }

        _lineArrived.Release();
    }

    /// <summary>Waits for a stdout or stderr line that satisfies the predicate.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout, bool stderr = false)
    {
        using var cts = new CancellationTokenSource(timeout);
        var queue = stderr ? _stderr : _stdout;
        while (true)
        {
            var match = queue.FirstOrDefault(predicate);
            if (match is not null)
            {
                return match;
            }

            if (_process.HasExited && (stderr ? _stderrClosed : _stdoutClosed).Task.IsCompleted)
            {
                throw new InvalidOperationException(
                    $"pipeline exited ({_process.ExitCode}) before printing the expected line.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
            }

            try
            {
                await _lineArrived.WaitAsync(TimeSpan.FromMilliseconds(200), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No expected line within {timeout}.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
            }
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"pipeline did not exit within {timeout}.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        }

        await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(TimeSpan.FromSeconds(10));
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no chance to finish, commit or clean up.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM: the graceful stop a Kubernetes pod gets.</summary>
    public void Terminate() => Signal(Sigterm);

    /// <summary>SIGINT: Ctrl+C.</summary>
    public void Interrupt() => Signal(Sigint);

    private const int Sigint = 2;
    private const int Sigterm = 15;

    private void Signal(int signal)
    {
        if (SysKill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _lineArrived.Dispose();
    }
}
