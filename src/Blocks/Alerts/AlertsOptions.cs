using Pipeline.Blocks.Configuration;

namespace Pipeline.Blocks.Alerts;

/// <summary>
/// The alert engine (<c>Pipeline:Alerts</c>, except <c>Channels</c>, which belong to the notification channels):
/// rules from configuration and from <see cref="RulesPath"/>, how often they are evaluated, and their bounds.
/// </summary>
public sealed class AlertsOptions : IValidatedOptions
{
    /// <summary>Rules from configuration (<c>Pipeline:Alerts:Rules:N</c>).</summary>
    public List<AlertRuleOptions> Rules { get; set; } = [];

    /// <summary>A JSON file <c>{"Rules":[…]}</c> of more rules, reloaded on change; an invalid file keeps the previous rules. Null: none.</summary>
    public string? RulesPath { get; set; }

    /// <summary>How often every rule's groups are evaluated. Default 1 s; also the resolution of the sliding windows' buckets.</summary>
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Groups one rule holds; past it the least recently seen group is evicted (counted). Default 10,000.</summary>
    public int MaxGroupsPerRule { get; set; } = 10_000;

    public AlertFlappingOptions Flapping { get; set; } = new();

    /// <summary>Resolved alerts kept for <c>GET /api/alerts</c>. Default 100.</summary>
    public int RecentResolved { get; set; } = 100;

    /// <summary>Where <c>state.json</c> and <c>silences.json</c> live. Default <c>&lt;DataDir&gt;/alerts</c>.</summary>
    public string? Directory { get; set; }

    /// <summary>Wait after the last change of <see cref="RulesPath"/> before reloading it (editors write in steps). Default 500 ms.</summary>
    public TimeSpan ReloadDebounce { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <inheritdoc />
    public void Validate(OptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        errors.Check(EvaluationInterval >= TimeSpan.FromMilliseconds(10), nameof(EvaluationInterval), $"must be at least 10 ms (got {EvaluationInterval}).");
        errors.Check(MaxGroupsPerRule >= 1, nameof(MaxGroupsPerRule), $"must be at least 1 (got {MaxGroupsPerRule}).");
        errors.Check(RecentResolved >= 0, nameof(RecentResolved), $"must not be negative (got {RecentResolved}).");
        errors.Check(ReloadDebounce >= TimeSpan.Zero, nameof(ReloadDebounce), $"must not be negative (got {ReloadDebounce}).");
        errors.Check(RulesPath is null || RulesPath.Trim().Length > 0, nameof(RulesPath), "must name a file (or be left out).");
        Flapping.Validate(errors.Nested(nameof(Flapping)));
        AlertRuleOptions.ValidateAll(Rules, errors.Nested(nameof(Rules)), new HashSet<string>());
    }

    /// <summary>Whether the engine has anything to do: rules here or in a rules file.</summary>
    public bool HasRules => Rules.Count > 0 || RulesPath is { Length: > 0 };
}
