using System.CommandLine;
using Ecommerce.Pipeline.Cli.Autoscaling;
using Ecommerce.Pipeline.Cli.Hosting;
using Ecommerce.Pipeline.Core.Configuration;

namespace Ecommerce.Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline autoscale-sim [--scaledobject keda/scaledobject.yaml] [--partitions 12] [--replica-throughput 10000]
/// [--profile 833:2m,20000:5m,833:5m] [--startup 15s] [--step 1s] [--format table|csv|json]</c>: replays a load profile
/// against the ScaledObject's KEDA and HPA rules (docs/autoscale-sim.md).
/// </summary>
internal static class AutoscaleSimCommand
{
    private const long TickMs = 100;

    public static Command Create()
    {
        var scaledObject = new Option<string>("--scaledobject")
        {
            Description = "The KEDA ScaledObject YAML to read (kafka trigger, replica bounds, polling, cooldown, HPA behavior)",
            DefaultValueFactory = _ => "keda/scaledobject.yaml",
        };
        var partitions = Options.Positive("--partitions", "Partitions of the topic", 12);
        var throughput = Options.Positive("--replica-throughput", "Messages per second one replica processes", 10_000L);
        var profile = new Option<string>("--profile")
        {
            Description = "Load as RATE:DURATION,... in msg/s (ramps: FROM->TO:DURATION), e.g. 833:2m,833->20000:1m,20000:5m",
            DefaultValueFactory = _ => "833:2m,20000:5m,833:5m",
        };
        var startup = NonNegativeDuration("--startup", "From a scale-up to the new pod consuming; default 15s");
        // Durations show their default in the text: System.CommandLine would print a TimeSpan as 00:00:15.
        var step = Options.Duration("--step", "Print a row every STEP of simulated time, a multiple of 100ms; default 1s");
        var format = new Option<string>("--format")
        {
            Description = "Output: table, csv (a header line, then rows) or json",
            DefaultValueFactory = _ => "table",
        };
        format.AcceptOnlyFromAmong("table", "csv", "json");

        var command = new Command("autoscale-sim", "Simulate KEDA autoscaling on Kafka lag for a load profile")
        {
            scaledObject, partitions, throughput, profile, startup, step, format,
        };
        command.SetAction(parse => ExitCodeMapper.GuardedAsync(async () =>
        {
            if (!LoadProfile.TryParse(parse.GetValue(profile), out var load, out var profileError))
            {
                throw new UsageException($"--profile: {profileError}.");
            }

            var stepMs = (long)Math.Round((parse.GetValue(step) ?? TimeSpan.FromSeconds(1)).TotalMilliseconds);
            if (stepMs % TickMs != 0)
            {
                throw new UsageException($"--step must be a multiple of {TickMs}ms.");
            }

            var path = parse.GetValue(scaledObject)!;
            ScaledObjectSettings settings;
            try
            {
                settings = ScaledObjectReader.Load(path);
            }
            catch (FileNotFoundException)
            {
                throw new UsageException($"--scaledobject: {path}: no such file.");
            }
            catch (ScaledObjectException ex)
            {
                throw new RuntimeFailureException(ex.Message);
            }

            var options = new SimulationOptions(settings, load!, parse.GetValue(partitions), parse.GetValue(throughput),
                (long)Math.Round((parse.GetValue(startup) ?? TimeSpan.FromSeconds(15)).TotalMilliseconds), TickMs);
            var result = AutoscaleSimulation.Run(options);
            var outputFormat = Enum.Parse<ReportFormat>(parse.GetValue(format)!, ignoreCase: true);
            await Console.Out.WriteAsync(SimulationReport.Format(result, outputFormat, stepMs, path));
            if (outputFormat == ReportFormat.Csv)
            {
                // stdout stays pure CSV; the verdict goes beside it.
                await Console.Error.WriteLineAsync(SimulationReport.SummaryLine(result.Summary));
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Option<TimeSpan?> NonNegativeDuration(string name, string description) => new(name)
    {
        Description = description + " (e.g. 0s, 250ms, 15s, 1m)",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
            if (DurationParser.TryParse(text, out var duration) && duration >= TimeSpan.Zero)
            {
                return duration;
            }

            result.AddError($"{name}: '{text}' is not a duration like 0s, 250ms, 15s or 1m.");
            return null;
        },
    };
}
