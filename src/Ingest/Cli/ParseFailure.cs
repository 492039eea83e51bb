using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace Pipeline.Ingest.Cli;

/// <summary>
/// What is wrong with a command line, as one line for stderr: the unknown verb, option or argument by name,
/// the closest valid ones ("Did you mean"), and where the help is. The caller exits 2.
/// </summary>
internal static partial class ParseFailure
{
    /// <summary>Sections of configuration overrides that are near-misses worth a suggestion.</summary>
    private static readonly string[] KnownSections = ["Pipeline", "Logging"];

    /// <summary>The line for <paramref name="result"/>, or null when the command line is fine.</summary>
    public static string? Describe(ParseResult result, ConfigurationOverrides overrides)
    {
        var command = result.CommandResult.Command;
        var path = PathOf(result.CommandResult);
        var help = $"See '{path} --help'.";
        if (result.UnmatchedTokens.Count > 0)
        {
            return $"{path}: {Unknown(command, result.CommandResult, result.UnmatchedTokens[0], overrides)} {help}";
        }

        if (result.Errors.Count > 0)
        {
            return $"{path}: {Rephrase(result, command, result.Errors[0])} {help}";
        }

        if (overrides.First is not { } first)
        {
            return null;
        }

        if (!overrides.AreReadBy(command, out var pipelineOnly))
        {
            return $"{path}: unknown option '{first}': {Verb(path)} reads no configuration; its options are {OptionList(command, result.CommandResult, overrides)}. {help}";
        }

        foreach (var token in overrides.Keys)
        {
            var section = ConfigurationOverrides.Section(token);
            if (Array.Exists(KnownSections, s => s.Equals(section, StringComparison.OrdinalIgnoreCase)))
            {
                if (pipelineOnly && !section.Equals("Pipeline", StringComparison.OrdinalIgnoreCase))
                {
                    return $"{path}: '{token}' has no effect here: {Verb(path)} reads only Pipeline:… settings. {help}";
                }

                continue;
            }

            var near = Suggestions.Closest(section, KnownSections);
            if (near.Count > 0)
            {
                return $"{path}: unknown settings section '{section}' in '{token}'. Did you mean '--{near[0]}{token[(2 + section.Length)..]}'? {help}";
            }

            if (pipelineOnly)
            {
                return $"{path}: '{token}' has no effect here: {Verb(path)} reads only Pipeline:… settings. {help}";
            }
        }

        return null;
    }

    private static string Unknown(Command command, CommandResult commandResult, string token, ConfigurationOverrides overrides)
    {
        if (token.StartsWith('-'))
        {
            var options = OptionNames(command, commandResult);
            var suggestion = Suggestions.DidYouMean(token.Split('=', ':')[0], options);
            return suggestion.Length > 0
                ? $"unknown option '{token}'.{suggestion}"
                : $"unknown option '{token}'; its options are {OptionList(command, commandResult, overrides)}.";
        }

        if (command.Subcommands.Count > 0)
        {
            var verbs = command.Subcommands.Select(c => c.Name).ToList();
            var suggestion = token.Equals("help", StringComparison.OrdinalIgnoreCase) ? " Did you mean '--help'?" : Suggestions.DidYouMean(token, verbs);
            return suggestion.Length > 0
                ? $"unknown verb '{token}'.{suggestion}"
                : $"unknown verb '{token}'; the verbs are {string.Join(", ", verbs)}.";
        }

        return command.Arguments.Count == 0
            ? $"unexpected argument '{token}': {command.Name} takes no arguments."
            : $"unexpected argument '{token}': {command.Name} takes {string.Join(" ", command.Arguments.Select(a => a.Name))}.";
    }

    private static string Rephrase(ParseResult result, Command command, ParseError error)
    {
        if (command.Action is null && command.Subcommands.Count > 0)
        {
            var verbs = command.Subcommands.Select(c => c.Name).ToList();
            return $"a verb is needed: {string.Join(", ", verbs.Take(verbs.Count - 1))} or {verbs[^1]}.";
        }

        foreach (var argument in command.Arguments)
        {
            if (argument.Arity.MinimumNumberOfValues > 0 && result.GetResult(argument) is not { Tokens.Count: > 0 })
            {
                return argument.Description is { Length: > 1 } d
                    ? $"missing {argument.Name}: {char.ToLowerInvariant(d[0])}{d[1..].TrimEnd('.')}."
                    : $"missing {argument.Name}.";
            }
        }

        var missing = MissingValue().Match(error.Message);
        if (missing.Success)
        {
            var name = missing.Groups["option"].Value;
            var option = command.Options.FirstOrDefault(o => o.Name == name || o.Aliases.Contains(name));
            return option?.HelpName is { Length: > 0 } value ? $"{name} needs a value ({value})." : $"{name} needs a value.";
        }

        var parse = CannotParse().Match(error.Message);
        if (parse.Success)
        {
            var kind = parse.Groups["type"].Value switch
            {
                "System.Int32" or "System.Int64" => "a whole number",
                "System.Double" => "a number",
                "System.Boolean" => "true or false",
                var other => other,
            };
            return $"{parse.Groups["option"].Value} takes {kind}, not '{parse.Groups["value"].Value}'.";
        }

        return error.Message.TrimEnd('.') + ".";
    }

    /// <summary>"pipeline", "pipeline robots show": the verbs as typed, the root always called pipeline.</summary>
    private static string PathOf(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? current = result; current is not null; current = current.Parent)
        {
            if (current is CommandResult { Command: not RootCommand } c)
            {
                names.Add(c.Command.Name);
            }
        }

        names.Add("pipeline");
        names.Reverse();
        return string.Join(' ', names);
    }

    /// <summary>The command's options and the recursive ones of its parents (--help).</summary>
    private static List<string> OptionNames(Command command, CommandResult result)
    {
        var names = new List<string>();
        foreach (var option in command.Options)
        {
            names.Add(option.Name);
        }

        for (var parent = result.Parent as CommandResult; parent is not null; parent = parent.Parent as CommandResult)
        {
            foreach (var option in parent.Command.Options)
            {
                if (option.Recursive && !names.Contains(option.Name))
                {
                    names.Add(option.Name);
                }
            }
        }

        return names;
    }

    private static string OptionList(Command command, CommandResult result, ConfigurationOverrides overrides)
    {
        var names = OptionNames(command, result);
        if (overrides.AreReadBy(command, out var pipelineOnly))
        {
            names.Add(pipelineOnly ? "--Pipeline:Key=value" : "--Section:Key=value");
        }

        return string.Join(", ", names);
    }

    /// <summary>"robots list" of "pipeline robots list"; "pipeline" of the root.</summary>
    private static string Verb(string path) => path.Length > "pipeline ".Length ? path["pipeline ".Length..] : path;

    [GeneratedRegex(@"^Required argument missing for option: '(?<option>[^']+)'", RegexOptions.CultureInvariant)]
    private static partial Regex MissingValue();

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']+)' as expected type '(?<type>[^']+)'", RegexOptions.CultureInvariant)]
    private static partial Regex CannotParse();
}
