using System.CommandLine;
using Ecommerce.Pipeline.Cli.Commands;

namespace Ecommerce.Pipeline.Cli;

/// <summary>The <c>pipeline</c> command line (docs/contract.md, "CLI"): exit 2 on a usage error, 1 on a runtime failure, 0 on success.</summary>
public static class PipelineCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Real-time e-commerce transaction pipeline: Kafka → clean/validate/enrich → warehouse.");
        root.Subcommands.Add(BrokerCommand.Create());
        root.Subcommands.Add(ProduceCommand.Create());
        root.Subcommands.Add(ProcessCommand.Create());
        root.Subcommands.Add(DevCommand.Create());
        root.Subcommands.Add(QueryCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(BackfillCommand.Create());
        root.Subcommands.Add(CompactCommand.Create());
        root.Subcommands.Add(RetentionCommand.Create());
        root.Subcommands.Add(AutoscaleSimCommand.Create());
        return root;
    }

    /// <summary>How long a verb may take to stop after SIGINT/SIGTERM (the Kubernetes grace period must exceed it).</summary>
    public static readonly TimeSpan GracefulStopTimeout = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(string[] args)
    {
        var parse = Build().Parse(args);
        if (parse.Errors.Count > 0)
        {
            // One line, as scripts expect; `pipeline VERB --help` shows the rest.
            await Console.Error.WriteLineAsync($"pipeline: {UsageMessage.For(parse)}");
            return ExitCodes.Usage;
        }

        // SIGINT/SIGTERM cancel the verb's token; the verb then finishes its batch, commits and leaves the group.
        // System.CommandLine would kill the process 2 s later by default: too soon for a graceful stop.
        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = GracefulStopTimeout });
    }
}

public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;
}
