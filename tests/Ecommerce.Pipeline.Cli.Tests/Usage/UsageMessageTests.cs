using System.CommandLine;

namespace Ecommerce.Pipeline.Cli.Tests.Usage;

/// <summary>
/// The usage errors of docs/contract.md ("CLI"): one line that names the unknown verb or option, the missing argument
/// or value, or the value that does not parse. The real process (exit 2, stderr) is covered by CliContractTests.
/// </summary>
public sealed class UsageMessageTests
{
    private const string Verbs = "the verbs are broker, produce, process, dev, query, report, bench, backfill, compact, retention, autoscale-sim";

    private static string MessageFor(params string[] args)
    {
        var parse = PipelineCli.Build().Parse(args);
        Assert.NotEmpty(parse.Errors);
        return UsageMessage.For(parse);
    }

    [Theory]
    [InlineData("nosuchverb", "unknown verb 'nosuchverb'; " + Verbs + " (see `pipeline --help`).")]
    [InlineData("", "no verb given; " + Verbs + " (see `pipeline --help`).")]
    [InlineData("--nope", "unknown option '--nope': give a verb first; " + Verbs + " (see `pipeline --help`).")]
    public void Without_a_known_verb_the_line_lists_the_verbs(string args, string expected) =>
        Assert.Equal(expected, MessageFor(args.Length == 0 ? [] : [args]));

    [Theory]
    [InlineData(new[] { "query", "--nope", "SELECT 1" }, "unknown option '--nope' for `pipeline query` (see `pipeline query --help`).")]
    [InlineData(new[] { "query", "SELECT 1", "--nope" }, "unknown option '--nope' for `pipeline query` (see `pipeline query --help`).")]
    [InlineData(new[] { "query", "SELECT", "1" }, "unexpected argument '1' for `pipeline query`: quote a value that holds spaces (see `pipeline query --help`).")]
    [InlineData(new[] { "query" }, "`pipeline query` needs its SQL argument (see `pipeline query --help`).")]
    [InlineData(new[] { "query", "--format" }, "--format needs a value (see `pipeline query --help`).")]
    [InlineData(new[] { "compact" }, "`pipeline compact` needs --date (see `pipeline compact --help`).")]
    [InlineData(new[] { "produce", "--count", "abc" }, "--count: 'abc' is not a whole number.")]
    [InlineData(new[] { "produce", "--seed", "1.5" }, "--seed: '1.5' is not a whole number.")]
    [InlineData(new[] { "produce", "--rate", "fast" }, "--rate: 'fast' is not a number.")]
    [InlineData(new[] { "process", "--metrics-port", "x" }, "--metrics-port: 'x' is not a whole number.")]
    [InlineData(new[] { "process", "--metrics-port", "70000" }, "--metrics-port must be a port number 0–65535, not '70000'.")]
    [InlineData(new[] { "query", "--format", "xml", "SELECT 1" }, "--format: Argument 'xml' not recognized. Must be one of: 'table' 'csv' 'json'")]
    [InlineData(new[] { "retention", "--days", "0" }, "--days: '0' is not a positive number of days.")]
    [InlineData(new[] { "produce", "--count", "5", "--duration", "5s" }, "--count and --duration cannot be used together.")]
    public void A_verbs_usage_error_names_what_is_wrong(string[] args, string expected) => Assert.Equal(expected, MessageFor(args));

    // An audit of every option of every verb: a value of the wrong kind is a usage error with one clear line, never
    // an exception from a validator that reads the unparsable value, nor a .NET type name.
    public static TheoryData<string, string> TypedOptions()
    {
        var data = new TheoryData<string, string>();
        foreach (var verb in PipelineCli.Build().Subcommands)
        {
            foreach (var option in verb.Options.Where(o => o.ValueType != typeof(string) && o.ValueType != typeof(bool) && !o.Hidden))
            {
                data.Add(verb.Name, option.Name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TypedOptions))]
    public void Every_typed_option_reports_a_bad_value_in_one_line(string verb, string option)
    {
        var parse = PipelineCli.Build().Parse([verb, option, "not-a-value"]);

        var error = Assert.Single(parse.Errors, e => UsageMessage.OptionOf(e)?.Option.Name == option);
        var line = UsageMessage.ForOption(UsageMessage.OptionOf(error)!, error, $"`pipeline {verb}`", "help");

        Assert.StartsWith(option, line, StringComparison.Ordinal);
        Assert.Contains("'not-a-value'", line, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain("System.", line, StringComparison.Ordinal);
    }
}
