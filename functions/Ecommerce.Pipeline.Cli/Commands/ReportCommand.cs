using System.CommandLine;
using Ecommerce.Pipeline.Cli.Hosting;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.DuckDb;

namespace Ecommerce.Pipeline.Cli.Commands;

/// <summary><c>pipeline report [--duckdb PATH]</c>: the standard analytics.</summary>
internal static class ReportCommand
{
    public static Command Create() => Define().Command;

    /// <summary>The verb, and how it reads its one setting (<c>DuckDbPath</c>) from its options.</summary>
    internal static (Command Command, SettingOptions Settings) Define()
    {
        var duckdb = Options.DuckDbPath();
        var minutes = Options.Positive("--minutes", "Window of the sales-per-minute section", 15);
        var command = new Command("report",
            "Standard analytics: sales per minute, top products, revenue by country and continent, payment mix, dead letters by reason")
        {
            duckdb, minutes,
        };
        var settingOptions = new SettingOptions().Add(duckdb, SettingNames.DuckDbPath);
        command.SetAction(parse => ExitCodeMapper.GuardedAsync(() =>
        {
            Print(settingOptions.ReadDuckDbPath(parse), parse.GetValue(minutes));
            return Task.FromResult(ExitCodes.Success);
        }));
        return (command, settingOptions);
    }

    public static void Print(string duckDbPath, int minutes = 15)
    {
        using var runner = DuckDbQueryRunner.OpenSandbox(duckDbPath);
        var sections = new DuckDbReport(runner).Run(new ReportOptions(Minutes: minutes));
        Console.Out.Write(DuckDbReport.Render(sections));
        Console.Out.Flush();
    }
}
