using System.CommandLine;
using Ecommerce.Pipeline.Cli.Hosting;
using Ecommerce.Pipeline.DuckDb;

namespace Ecommerce.Pipeline.Cli.Commands;

/// <summary><c>pipeline report [--duckdb PATH]</c>: the standard analytics.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var duckdb = Options.DuckDbPath();
        var minutes = Options.Positive("--minutes", "Window of the sales-per-minute section", 15);
        var command = new Command("report",
            "Standard analytics: sales per minute, top products, revenue by country and continent, payment mix, dead letters by reason")
        {
            duckdb, minutes,
        };
        command.SetAction(parse => ExitCodeMapper.GuardedAsync(() =>
        {
            Print(parse.GetValue(duckdb)!, parse.GetValue(minutes));
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    public static void Print(string duckDbPath, int minutes = 15)
    {
        using var runner = DuckDbQueryRunner.Open(duckDbPath);
        var sections = new DuckDbReport(runner).Run(new ReportOptions(Minutes: minutes));
        Console.Out.Write(DuckDbReport.Render(sections));
        Console.Out.Flush();
    }
}
