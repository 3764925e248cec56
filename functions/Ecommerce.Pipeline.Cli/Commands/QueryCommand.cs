using System.CommandLine;
using Ecommerce.Pipeline.Cli.Hosting;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.DuckDb;

namespace Ecommerce.Pipeline.Cli.Commands;

/// <summary><c>pipeline query [--duckdb PATH] [--format table|csv|json] SQL</c>: SQL on the warehouse, read-only.</summary>
internal static class QueryCommand
{
    public static Command Create() => Define().Command;

    /// <summary>The verb, and how it reads its one setting (<c>DuckDbPath</c>) from its options.</summary>
    internal static (Command Command, SettingOptions Settings) Define()
    {
        var duckdb = Options.DuckDbPath();
        var format = new Option<string>("--format")
        {
            Description = "Output: table, csv (a header line, then rows) or json (an array of objects)",
            DefaultValueFactory = _ => "table",
        };
        format.AcceptOnlyFromAmong("table", "csv", "json");
        var sql = new Argument<string>("SQL") { Description = "The SQL to run, e.g. \"SELECT count(*) FROM transactions\"" };
        var command = new Command("query", "Run SQL on the warehouse (read-only)") { duckdb, format, sql };
        var settingOptions = new SettingOptions().Add(duckdb, SettingNames.DuckDbPath);
        command.SetAction(parse => ExitCodeMapper.GuardedAsync(() =>
        {
            if (!QueryResultFormatter.TryParseFormat(parse.GetValue(format), out var outputFormat))
            {
                throw new Hosting.UsageException("--format must be table, csv or json.");
            }

            using var runner = DuckDbQueryRunner.Open(settingOptions.ReadDuckDbPath(parse));
            var text = QueryResultFormatter.Format(runner.Execute(parse.GetValue(sql)!), outputFormat);
            Console.Out.Write(text.EndsWith('\n') ? text : text + "\n");
            return Task.FromResult(ExitCodes.Success);
        }));
        return (command, settingOptions);
    }
}
