using System.Globalization;

namespace Ecommerce.Pipeline.Cli.Commands;

/// <summary>This process's memory as the kernel counts it (<c>/proc/self/status</c>).</summary>
internal static class ProcessMemory
{
    /// <summary>VmHWM: the peak resident set size so far, in MB.</summary>
    public static double PeakResidentMegabytes() =>
        Read("VmHWM:") ?? System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;

    /// <summary>VmRSS: the resident set size now, in MB.</summary>
    public static double ResidentMegabytes() => Read("VmRSS:") ?? Environment.WorkingSet / 1048576.0;

    private static double? Read(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return null;
    }
}
