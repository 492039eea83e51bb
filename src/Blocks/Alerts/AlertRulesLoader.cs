using System.Globalization;
using Microsoft.Extensions.Configuration;
using Pipeline.Blocks.Alerts.Internal;
using Pipeline.Blocks.Configuration;

namespace Pipeline.Blocks.Alerts;

/// <summary>
/// Reads and checks a rules file (<c>{"Rules":[…]}</c>, the shape of <c>Pipeline:Alerts:Rules</c>), for the engine's
/// reloads and for <c>pipeline alerts check FILE</c>. It binds with the configuration binder, so the file reads
/// exactly like configuration (time spans as <c>00:01:30</c>, keys case-insensitive).
/// </summary>
public sealed class AlertRulesLoader
{
    private readonly AlertsOptions _engine;

    /// <param name="engine">The engine's settings (evaluation interval, group bound) the compiled rules use; defaults when null.</param>
    public AlertRulesLoader(AlertsOptions? engine = null)
    {
        _engine = engine ?? new AlertsOptions();
    }

    /// <summary>Reads <paramref name="path"/>; <paramref name="takenNames"/> are rule names already in use (configuration's).</summary>
    public AlertRulesCheck CheckFile(string path, IEnumerable<string>? takenNames = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var name = Path.GetFileName(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Failed($"{name}: cannot be read: {ex.Message}");
        }

        return Check(bytes, name, takenNames);
    }

    /// <summary>Checks a rules document; <paramref name="source"/> (the file name) starts every error's key path.</summary>
    public AlertRulesCheck Check(ReadOnlyMemory<byte> json, string source, IEnumerable<string>? takenNames = null)
    {
        IConfigurationRoot root;
        try
        {
            using var stream = new MemoryStream(json.ToArray());
            root = new ConfigurationBuilder().AddJsonStream(stream).Build();
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or System.Text.Json.JsonException)
        {
            return Failed($"{source}: not a valid JSON document: {ex.GetBaseException().Message}");
        }

        var errors = new List<string>();
        foreach (var child in root.GetChildren())
        {
            if (!child.Key.Equals("Rules", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"{source}:{child.Key}: unknown setting (a rules file holds only Rules).");
            }
        }

        var failed = new HashSet<int>();
        var rules = Bind(root.GetSection("Rules"), $"{source}:Rules", errors, failed);
        return Finish(rules, $"{source}:Rules", errors, failed, takenNames);
    }

    /// <summary>Checks and compiles rules that came from configuration (<c>Pipeline:Alerts:Rules</c>).</summary>
    public AlertRulesCheck Compile(IReadOnlyList<AlertRuleOptions> rules, string prefix, IEnumerable<string>? takenNames = null)
    {
        ArgumentNullException.ThrowIfNull(rules);
        return Finish([.. rules], prefix, [], [], takenNames);
    }

    private AlertRulesCheck Finish(List<AlertRuleOptions> rules, string prefix, List<string> bindErrors, HashSet<int> failed, IEnumerable<string>? takenNames)
    {
        var list = new List<string>();
        AlertRuleOptions.ValidateAll(rules, new OptionsErrors(prefix, list), new HashSet<string>(takenNames ?? [], StringComparer.Ordinal));
        var all = new List<string>(bindErrors);
        foreach (var error in list)
        {
            var index = RuleIndex(error, prefix);
            if (!failed.Contains(index))
            {
                // A rule that could not be bound was reported already; what its defaults lack is noise.
                all.Add(index >= 0 && index < rules.Count && rules[index].Name is { Length: > 0 } name ? $"{error} (rule '{name}')" : error);
            }
        }

        if (all.Count > 0)
        {
            return new AlertRulesCheck(all, [], []);
        }

        return new AlertRulesCheck([], rules, [.. rules.Select(r => new CompiledRule(r, _engine))]);
    }

    private static int RuleIndex(string error, string prefix)
    {
        if (error.Length <= prefix.Length + 1)
        {
            return -1;
        }

        var rest = error.AsSpan(prefix.Length + 1);
        var end = rest.IndexOf(':');
        return end > 0 && int.TryParse(rest[..end], NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : -1;
    }

    private static List<AlertRuleOptions> Bind(IConfigurationSection section, string prefix, List<string> errors, HashSet<int> failed)
    {
        var rules = new List<AlertRuleOptions>();
        foreach (var child in section.GetChildren().OrderBy(c => int.TryParse(c.Key, out var i) ? i : int.MaxValue))
        {
            try
            {
                rules.Add(child.Get<AlertRuleOptions>(o => o.ErrorOnUnknownConfiguration = true) ?? new AlertRuleOptions());
            }
            catch (InvalidOperationException ex)
            {
                var name = child["Name"];
                errors.Add($"{prefix}:{child.Key}: {ex.GetBaseException().Message}" + (name is { Length: > 0 } ? $" (rule '{name}')" : ""));
                failed.Add(rules.Count);
                rules.Add(new AlertRuleOptions { Name = name });
            }
        }

        return rules;
    }

    private static AlertRulesCheck Failed(string error) => new([error], [], []);
}
