using System.CommandLine;
using Ecommerce.Pipeline.Cli.Hosting;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.DuckDb;

namespace Ecommerce.Pipeline.Cli.Commands;

/// <summary><c>pipeline query [--duckdb PATH] [--format table|csv|json] SQL</c>: one query on the warehouse, sandboxed.</summary>
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
        var command = new Command("query", "Run one query (SELECT, WITH, ...) on the warehouse: read-only, no other files, network or extensions") { duckdb, format, sql };
        var settingOptions = new SettingOptions().Add(duckdb, SettingNames.DuckDbPath);
        command.SetAction(parse => ExitCodeMapper.GuardedAsync(() =>
        {
            if (!QueryResultFormatter.TryParseFormat(parse.GetValue(format), out var outputFormat))
            {
                throw new Hosting.UsageException("--format must be table, csv or json.");
            }

            var text = parse.GetValue(sql);
            if (string.IsNullOrWhiteSpace(text))
            {
                throw new Hosting.UsageException("query: the SQL is empty; give one query, e.g. \"SELECT count(*) FROM transactions\".");
            }

            // Sandboxed: read-only, no other files, network or extensions, settings locked, exactly one query
            // (docs/contract.md, "CLI"); whoever can pass SQL here gets no more than that.
            using var runner = DuckDbQueryRunner.OpenSandbox(settingOptions.ReadDuckDbPath(parse));
            var output = QueryResultFormatter.Format(runner.Execute(text), outputFormat);
            Console.Out.Write(output.EndsWith('\n') ? output : output + "\n");
            return Task.FromResult(ExitCodes.Success);
        }));
        return (command, settingOptions);
    }
}
