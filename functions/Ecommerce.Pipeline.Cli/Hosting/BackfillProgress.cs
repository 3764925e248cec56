using System.Globalization;
using Ecommerce.Pipeline.Kafka.Backfill;
using Spectre.Console;

namespace Ecommerce.Pipeline.Cli.Hosting;

/// <summary>
/// Progress of a backfill on stderr while it runs: a Spectre.Console progress bar on a terminal
/// (read against the most the plan can read), a plain line every 5 s when stderr is redirected (logs, CI, pods).
/// </summary>
internal static class BackfillProgress
{
    public static bool Interactive => !Console.IsErrorRedirected;

    public static Task ShowAsync(BackfillCounters counters, Task run, bool dryRun) =>
        Interactive ? BarAsync(counters, run, dryRun) : LinesAsync(counters, run, dryRun ? "backfill (dry run)" : "backfill");

    private static async Task BarAsync(BackfillCounters counters, Task run, bool dryRun)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            // Narrow enough for an 80-column terminal, where a longer description would be cut to "…".
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 20 }, new PercentageColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("backfill", maxValue: 1);
                while (true)
                {
                    var done = run.IsCompleted;
                    var toRead = counters.ToRead;
                    task.MaxValue = Math.Max(1, toRead);
                    task.Value = done ? task.MaxValue : Math.Min(counters.Read, task.MaxValue);
                    task.Description = Markup.Escape(dryRun
                        ? string.Create(CultureInfo.InvariantCulture, $"dry run: read {counters.Read:N0} in window {counters.InWindow:N0}")
                        : string.Create(CultureInfo.InvariantCulture,
                            $"read {counters.Read:N0} stored {counters.Stored:N0} dup {counters.Duplicates:N0} dead {counters.DeadLetters:N0}{Live(counters)}"));
                    if (done)
                    {
                        return;
                    }

                    // A display refresh, not synchronisation: the loop ends when the run does.
                    await Task.WhenAny(run, Task.Delay(TimeSpan.FromMilliseconds(250)));
                }
            });
    }

    /// <summary>What the plan left to the live processor (capped at its group's committed offsets), when anything.</summary>
    private static string Live(BackfillCounters c) =>
        c.LeftToLive > 0 ? string.Create(CultureInfo.InvariantCulture, $" live {c.LeftToLive:N0}") : "";

    private static async Task LinesAsync(BackfillCounters counters, Task run, string verb)
    {
        while (await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(5))) != run)
        {
            await Console.Error.WriteLineAsync(Line(counters, verb));
        }
    }

    private static string Line(BackfillCounters c, string verb) => string.Create(CultureInfo.InvariantCulture,
        $"{verb}: read {c.Read:N0}/{c.ToRead:N0}  in window {c.InWindow:N0}  stored {c.Stored:N0}  duplicates {c.Duplicates:N0}  dead letters {c.DeadLetters:N0}  left to live {c.LeftToLive:N0}");
}
