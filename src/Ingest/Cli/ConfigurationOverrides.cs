using System.CommandLine;

namespace Pipeline.Ingest.Cli;

/// <summary>
/// The configuration overrides of one command line (<c>--Section:Key=value</c> or <c>--Section:Key value</c>,
/// what <c>AddCommandLine</c> reads) and the verbs that read them. They are taken out of the arguments before
/// System.CommandLine parses the rest strictly, so a verb can accept any <c>--Pipeline:…</c> key without
/// the parser accepting every unknown token; a verb that reads no configuration refuses them.
/// </summary>
internal sealed class ConfigurationOverrides
{
    private readonly Dictionary<Command, bool> _readers = [];
    private readonly List<string> _arguments = [];
    private readonly List<string> _keys = [];

    /// <summary>The overrides as <c>AddCommandLine</c> takes them (a <c>--Key</c> without <c>=</c> is followed by its value).</summary>
    public IReadOnlyList<string> Arguments => _arguments;

    /// <summary>The overrides' key tokens as the user wrote them (<c>--Pipeline:DataDir=/x</c>, <c>--Pipeline:DataDir</c>), not their separate values.</summary>
    public IReadOnlyList<string> Keys => _keys;

    /// <summary>The first override as the user wrote it (for messages), or null.</summary>
    public string? First => _keys.Count > 0 ? _keys[0] : null;

    /// <summary>
    /// Marks <paramref name="command"/> as reading configuration overrides; with <paramref name="pipelineOnly"/>, only
    /// <c>--Pipeline:…</c> keys (a verb that reads nothing of <c>Logging:</c> or <c>Kestrel:</c> refuses them).
    /// </summary>
    public TCommand ReadBy<TCommand>(TCommand command, bool pipelineOnly = false) where TCommand : Command
    {
        _readers[command] = pipelineOnly;
        return command;
    }

    /// <summary>True when <paramref name="command"/> reads overrides; <paramref name="pipelineOnly"/> as given to <see cref="ReadBy"/>.</summary>
    public bool AreReadBy(Command command, out bool pipelineOnly) => _readers.TryGetValue(command, out pipelineOnly);

    /// <summary>
    /// Takes the overrides out of <paramref name="args"/> (up to a <c>--</c>); <paramref name="rest"/> is what the parser gets.
    /// A token whose part before the first <c>:</c> is an option of the command line (<c>--hours:6</c>) is that option.
    /// False, with a sentence, for an override without a value.
    /// </summary>
    public bool TrySplit(IReadOnlyList<string> args, Command root, out List<string> rest, out string problem)
    {
        var options = OptionNames(root);
        rest = new List<string>(args.Count);
        problem = "";
        for (var i = 0; i < args.Count; i++)
        {
            var token = args[i];
            if (token == "--")
            {
                for (; i < args.Count; i++)
                {
                    rest.Add(args[i]);
                }

                break;
            }

            if (!IsOverride(token, options))
            {
                rest.Add(token);
                continue;
            }

            _keys.Add(token);
            _arguments.Add(token);
            if (token.Contains('=', StringComparison.Ordinal))
            {
                continue;
            }

            if (i + 1 >= args.Count)
            {
                problem = $"'{token}' needs a value: {token}=VALUE or {token} VALUE.";
                return false;
            }

            _arguments.Add(args[++i]);
        }

        return true;
    }

    /// <summary>The section of an override (<c>Pipeline</c> of <c>--Pipeline:DataDir=…</c>).</summary>
    public static string Section(string token)
    {
        var name = token.AsSpan(2);
        return name[..name.IndexOf(':')].ToString();
    }

    /// <summary><c>--Name:…</c> where <c>--Name</c> is not an option (System.CommandLine also reads <c>--option:value</c>).</summary>
    private static bool IsOverride(string token, HashSet<string> options)
    {
        if (token.Length < 4 || !token.StartsWith("--", StringComparison.Ordinal) || token[2] == '-' || token[2] == ':')
        {
            return false;
        }

        var end = token.IndexOf('=', StringComparison.Ordinal);
        var name = end < 0 ? token : token[..end];
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        return colon > 2 && !options.Contains(name[..colon]);
    }

    private static HashSet<string> OptionNames(Command root)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Command>();
        pending.Push(root);
        while (pending.TryPop(out var command))
        {
            foreach (var option in command.Options)
            {
                names.Add(option.Name);
                foreach (var alias in option.Aliases)
                {
                    names.Add(alias);
                }
            }

            foreach (var sub in command.Subcommands)
            {
                pending.Push(sub);
            }
        }

        return names;
    }
}
