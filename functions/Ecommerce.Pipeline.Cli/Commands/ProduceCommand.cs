using System.CommandLine;
using System.Globalization;
using Confluent.Kafka;
using Ecommerce.Pipeline.Cli.Hosting;
using Ecommerce.Pipeline.Cli.Producing;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Hosting;
using Ecommerce.Pipeline.Kafka.Producing;

namespace Ecommerce.Pipeline.Cli.Commands;

/// <summary><c>pipeline produce</c>: synthetic transactions (or a JSON-lines file) onto a topic, with a summary.</summary>
internal static class ProduceCommand
{
    public static Command Create() => Define().Command;

    /// <summary>The verb, and how it reads its settings (brokers, topic, Kafka security) from its options.</summary>
    internal static (Command Command, SettingOptions Settings) Define()
    {
        var bootstrap = Options.BootstrapServers();
        var topic = Options.Topic();
        var count = new Option<long?>("--count") { Description = "Messages to send" };
        var duration = Options.Duration("--duration", "How long to send");
        var rate = new Option<double?>("--rate") { Description = "Messages per second (default: as fast as possible)" };
        var badRatio = new Option<double>("--bad-ratio") { Description = "Share of deliberately bad messages, 0–1", DefaultValueFactory = _ => 0 };
        var seed = new Option<int?>("--seed") { Description = "Random seed (default: random; transaction ids derive from it)" };
        var file = new Option<string?>("--file") { Description = "JSON-lines file to replay instead (- = stdin)" };
        var command = new Command("produce", "Publish realistic synthetic transactions (keyed by user id), or the lines of a JSON-lines file")
        {
            bootstrap, topic, count, duration, rate, badRatio, seed, file,
        };
        command.Validators.Add(r =>
        {
            // By tokens, not values: reading a value that did not parse would throw instead of reporting it.
            if (r.GetResult(count) is { Tokens.Count: > 0 } && r.GetResult(duration) is { Tokens.Count: > 0 })
            {
                r.AddError("--count and --duration cannot be used together.");
            }
        });
        var settingOptions = new SettingOptions()
            .Add(bootstrap, SettingNames.KafkaBrokerList)
            .Add(topic, SettingNames.TransactionsTopic);
        command.SetAction(async (parse, cancellationToken) =>
        {
            KafkaSettings settings;
            try
            {
                // The same rules and error texts as every other verb and the function app.
                settings = settingOptions.ReadKafka(parse);
            }
            catch (UsageException ex)
            {
                await Console.Error.WriteLineAsync($"pipeline: {ex.Message}");
                return ExitCodes.Usage;
            }

            var options = new ProduceOptions
            {
                Topic = settings.TransactionsTopic,
                Count = parse.GetValue(count) ?? (parse.GetValue(duration) is null && parse.GetValue(file) is null ? 10_000 : null),
                Duration = parse.GetValue(duration),
                Rate = parse.GetValue(rate),
                BadRatio = parse.GetValue(badRatio),
                Seed = parse.GetValue(seed) ?? Random.Shared.Next(1, int.MaxValue),
                FilePath = parse.GetValue(file),
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentException ex)
            {
                await Console.Error.WriteLineAsync($"pipeline: {ex.Message}");
                return ExitCodes.Usage;
            }

            var servers = settings.KafkaBrokerList;
            if (IsLocal(servers) && RetentionGuard.Check(6, options) is { MayExceed: true, Warning: { } warning })
            {
                await Console.Error.WriteLineAsync($"warning: if this is the embedded broker: {warning}");
            }

            try
            {
                var producer = TransactionProducer.Create(servers, security: settings.KafkaSecurity);
                var summary = await ProduceSource.ProduceAsync(producer, options, new ProgressPrinter(), cancellationToken);
                Print(summary, options.Seed);
                return summary.Succeeded ? ExitCodes.Success : ExitCodes.Failure;
            }
            catch (KafkaException ex)
            {
                await Console.Error.WriteLineAsync($"pipeline: cannot produce to {servers}: {ex.Error.Reason}");
                return ExitCodes.Failure;
            }
            catch (IOException ex)
            {
                await Console.Error.WriteLineAsync($"pipeline: {ex.Message}");
                return ExitCodes.Failure;
            }
        });
        return (command, settingOptions);
    }

    internal static bool IsLocal(string servers) =>
        servers.Split(',').All(s => s.StartsWith("127.", StringComparison.Ordinal) || s.StartsWith("localhost", StringComparison.OrdinalIgnoreCase));

    private static void Print(ProduceSummary summary, int seed)
    {
        var inv = CultureInfo.InvariantCulture;
        var stopped = summary.Cancelled ? " (stopped early)" : string.Empty;
        Console.Out.WriteLine(string.Create(inv,
            $"produced: sent={summary.Sent} acknowledged={summary.Acknowledged} failed={summary.Failed} bad={summary.InjectedBadTotal} seed={seed} elapsed={summary.Elapsed.TotalSeconds:F1}s rate={summary.AchievedRate:F0}/s{stopped}"));
        foreach (var (reason, n) in summary.InjectedBad.Where(kv => kv.Value > 0))
        {
            Console.Out.WriteLine(string.Create(inv, $"  bad {reason.ToCode()}: {n}"));
        }

        foreach (var error in summary.Errors)
        {
            Console.Error.WriteLine($"  error: {error}");
        }
    }

    /// <summary>A progress line on stderr: redrawn in place on a terminal, a line every few seconds otherwise.</summary>
    private sealed class ProgressPrinter : IProgress<ProduceProgress>
    {
        private readonly bool _interactive = !Console.IsErrorRedirected;
        private DateTime _lastLine = DateTime.MinValue;

        public void Report(ProduceProgress value)
        {
            var fraction = value.TargetCount is { } target && target > 0
                ? value.Sent / (double)target
                : value.TargetDuration is { } d && d > TimeSpan.Zero ? value.Elapsed / d : (double?)null;
            var bar = fraction is { } f ? Bar(Math.Clamp(f, 0, 1)) + " " : string.Empty;
            var flushing = value.Flushing ? " flushing" : string.Empty;
            var line = string.Create(CultureInfo.InvariantCulture,
                $"{bar}sent {value.Sent:N0} acked {value.Acknowledged:N0} failed {value.Failed:N0} {value.CurrentRate:N0}/s{flushing}");
            if (_interactive)
            {
                Console.Error.Write("\r" + line.PadRight(Console.WindowWidth > 1 ? Math.Min(Console.WindowWidth - 1, 100) : 80));
            }
            else if (DateTime.UtcNow - _lastLine > TimeSpan.FromSeconds(5))
            {
                _lastLine = DateTime.UtcNow;
                Console.Error.WriteLine(line);
            }
        }

        private static string Bar(double fraction)
        {
            const int width = 24;
            var filled = (int)(fraction * width);
            return "[" + new string('#', filled) + new string('.', width - filled) + "] " +
                   (fraction * 100).ToString("F0", CultureInfo.InvariantCulture).PadLeft(3) + "%";
        }
    }
}
