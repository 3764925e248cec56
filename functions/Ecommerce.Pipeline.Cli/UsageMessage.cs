using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Ecommerce.Pipeline.Cli;

/// <summary>
/// The one stderr line of a usage error (exit 2), from what System.CommandLine parsed: it names the unknown verb or
/// option, the missing argument or value, or the value that does not parse and what was expected. Messages the verbs
/// write themselves (validators, custom parsers) are kept as they are.
/// </summary>
internal static class UsageMessage
{
    public static string For(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var command = parse.CommandResult.Command;
        if (command is RootCommand root)
        {
            return ForRoot(root, parse.UnmatchedTokens);
        }

        var verb = $"`pipeline {command.Name}`";
        var help = $"see `pipeline {command.Name} --help`";

        // An unknown option in front of the verb's argument is taken as that argument, and the real argument is then
        // left over: name the option, not the leftover.
        var optionLike = command.Arguments
            .SelectMany(a => parse.GetResult(a)?.Tokens ?? [])
            .FirstOrDefault(t => t.Value.StartsWith("--", StringComparison.Ordinal) && parse.UnmatchedTokens.Count > 0);
        if (optionLike is not null)
        {
            return $"unknown option '{optionLike.Value}' for {verb} ({help}).";
        }

        if (parse.UnmatchedTokens.Count > 0)
        {
            var token = parse.UnmatchedTokens[0];
            return token.StartsWith('-')
                ? $"unknown option '{token}' for {verb} ({help})."
                : $"unexpected argument '{token}' for {verb}: quote a value that holds spaces ({help}).";
        }

        var error = parse.Errors[0];
        if (OptionOf(error) is { } option)
        {
            return ForOption(option, error, verb, help);
        }

        foreach (var argument in command.Arguments.Where(a => a.Arity.MinimumNumberOfValues > 0))
        {
            if (parse.GetResult(argument) is not { Tokens.Count: > 0 })
            {
                return $"{verb} needs its {argument.Name} argument ({help}).";
            }
        }

        return OneLine(error.Message);
    }

    /// <summary>The option a parse error is about, if any.</summary>
    public static OptionResult? OptionOf(ParseError error) =>
        error.SymbolResult as OptionResult ?? error.SymbolResult?.Parent as OptionResult;

    /// <summary>The line for an error about one option of a verb.</summary>
    public static string ForOption(OptionResult option, ParseError error, string verb, string help)
    {
        var name = option.Option.Name;
        if (option.Option.Required && option.IdentifierTokenCount == 0)
        {
            return $"{verb} needs {name} ({help}).";
        }

        if (option.Tokens.Count == 0 && !option.Implicit && option.IdentifierTokenCount > 0)
        {
            return $"{name} needs a value ({help}).";
        }

        if (option.Tokens.Count > 0 && Expected(option.Option.ValueType) is { } expected
            && !Parses(option.Tokens[0].Value, option.Option.ValueType))
        {
            return $"{name}: '{option.Tokens[0].Value}' is not {expected}.";
        }

        var message = OneLine(error.Message);
        return message.Contains(name, StringComparison.Ordinal) ? message : $"{name}: {message}";
    }

    private static string ForRoot(RootCommand root, IReadOnlyList<string> unmatched)
    {
        var verbs = "the verbs are " + string.Join(", ", root.Subcommands.Where(c => !c.Hidden).Select(c => c.Name)) +
            " (see `pipeline --help`)";
        if (unmatched.Count == 0)
        {
            return $"no verb given; {verbs}.";
        }

        var token = unmatched[0];
        return token.StartsWith('-')
            ? $"unknown option '{token}': give a verb first; {verbs}."
            : $"unknown verb '{token}'; {verbs}.";
    }

    // What the options of this CLI that have no parser of their own expect.
    private static string? Expected(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(int) || t == typeof(long) => "a whole number",
        var t when t == typeof(double) || t == typeof(decimal) => "a number",
        var t when t == typeof(bool) => "true or false",
        _ => null,
    };

    private static bool Parses(string text, Type type)
    {
        var inv = CultureInfo.InvariantCulture;
        return (Nullable.GetUnderlyingType(type) ?? type) switch
        {
            var t when t == typeof(int) => int.TryParse(text, NumberStyles.Integer, inv, out _),
            var t when t == typeof(long) => long.TryParse(text, NumberStyles.Integer, inv, out _),
            var t when t == typeof(double) => double.TryParse(text, NumberStyles.Float, inv, out _),
            var t when t == typeof(decimal) => decimal.TryParse(text, NumberStyles.Number, inv, out _),
            var t when t == typeof(bool) => bool.TryParse(text, out _),
            _ => true,
        };
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
