using Pipeline.Blocks.Alerts.Internal;

namespace Pipeline.Blocks.Alerts;

/// <summary>What <see cref="AlertRulesLoader"/> found: every error with its key path, or the rules (compiled, ready to use).</summary>
public sealed class AlertRulesCheck
{
    internal AlertRulesCheck(IReadOnlyList<string> errors, IReadOnlyList<AlertRuleOptions> rules, IReadOnlyList<CompiledRule> compiled)
    {
        Errors = errors;
        Rules = rules;
        Compiled = compiled;
    }

    /// <summary>One line per problem: <c>alerts.json:Rules:3:Window: must be positive … (rule 'battery-low')</c>.</summary>
    public IReadOnlyList<string> Errors { get; }

    public bool IsValid => Errors.Count == 0;

    /// <summary>The rules as read (empty when invalid).</summary>
    public IReadOnlyList<AlertRuleOptions> Rules { get; }

    internal IReadOnlyList<CompiledRule> Compiled { get; }
}
