using System.Text.RegularExpressions;
using Pipeline.Blocks.Alerts.Internal;
using Pipeline.Blocks.Configuration;
using Pipeline.Blocks.Routes;

namespace Pipeline.Blocks.Alerts;

/// <summary>
/// One alert rule (<c>Pipeline:Alerts:Rules:N</c>, or an entry of the rules file's <c>Rules</c>): which events
/// (<see cref="Match"/>, the same semantics as a route's), what is measured (<see cref="Kind"/>), per which
/// group (<see cref="GroupBy"/>), and how an alert moves between pending, firing and resolved.
/// </summary>
public sealed partial class AlertRuleOptions
{
    /// <summary>Required, unique across configuration and the rules file: the <c>alertname</c> label.</summary>
    public string? Name { get; set; }

    /// <summary>Which events count for the rule. Empty: every event.</summary>
    public RouteMatchOptions Match { get; set; } = new();

    /// <summary><c>threshold</c>, <c>rate</c>, <c>attribute</c>, <c>absent</c> or <c>anomaly</c>.</summary>
    public string? Kind { get; set; }

    /// <summary>The sliding window of <c>threshold</c> and <c>rate</c> (required there); <c>anomaly</c>: how long one anomaly keeps firing (default 5 min).</summary>
    public TimeSpan? Window { get; set; }

    /// <summary><c>threshold</c>: events in the window; <c>rate</c>: events per second; <c>anomaly</c>: anomalies in the window (default 1).</summary>
    public double? Threshold { get; set; }

    /// <summary>
    /// <c>attribute</c>: <c>PATH OP VALUE</c>, e.g. <c>data.battery &lt; 15</c>, <c>data.mode == "manual"</c>; ops
    /// <c>&lt; &lt;= &gt; &gt;= == !=</c>, numbers and JSON strings; PATH is a top-level field (<c>level</c>, <c>type</c>,
    /// <c>robot_id</c>, <c>site</c>, <c>msg</c>, <c>template_id</c>) or a dotted path into the event's attributes.
    /// Other kinds: an extra filter on the matching events.
    /// </summary>
    public string? Condition { get; set; }

    /// <summary>Pending time before firing (default 0: fire at once); <c>absent</c>: the silence that fires (required).</summary>
    public TimeSpan For { get; set; }

    /// <summary>How long the condition must stay clear before the alert resolves. Default 0.</summary>
    public TimeSpan KeepFiringFor { get; set; }

    /// <summary>
    /// Hysteresis: a firing alert stays firing until the value is below this (threshold, rate, attribute with
    /// <c>&gt;</c>/<c>&gt;=</c>), or above it (attribute with <c>&lt;</c>/<c>&lt;=</c>). Default: the threshold itself.
    /// </summary>
    public double? ResolveBelow { get; set; }

    /// <summary>Notify a still-firing alert again after this. Null (default): once.</summary>
    public TimeSpan? RepeatInterval { get; set; }

    /// <summary><c>critical</c>, <c>warning</c> (default) or <c>info</c>.</summary>
    public string Severity { get; set; } = "warning";

    /// <summary>Channel names (<c>Pipeline:Alerts:Channels:&lt;name&gt;</c>) told of firing and resolved alerts.</summary>
    public List<string> Channels { get; set; } = [];

    /// <summary>Extra labels on every alert of the rule.</summary>
    public Dictionary<string, string> Labels { get; set; } = [];

    /// <summary>Texts with <c>{{robot_id}}</c>, <c>{{value}}</c>, <c>{{count}}</c>, <c>{{rule}}</c> and any <c>GroupBy</c> label filled in.</summary>
    public Dictionary<string, string> Annotations { get; set; } = [];

    /// <summary>One alert per distinct combination of these: <c>robot_id</c>, <c>site</c>, <c>type</c>, <c>template_id</c>, <c>level</c>, or an attribute path (<c>data.zone</c>).</summary>
    public List<string> GroupBy { get; set; } = [];

    private static readonly string[] Severities = ["critical", "warning", "info"];
    private static readonly string[] BuiltInPlaceholders = ["robot_id", "value", "count", "rule"];

    /// <summary>Checks every rule under <paramref name="errors"/> (<c>…:Rules</c>), names unique among them and <paramref name="takenNames"/>.</summary>
    public static void ValidateAll(IReadOnlyList<AlertRuleOptions?> rules, OptionsErrors errors, ISet<string> takenNames)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(takenNames);
        var seen = new HashSet<string>(takenNames, StringComparer.Ordinal);
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var key = errors.Nested(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (rule is null)
            {
                errors.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture), "empty rule.");
                continue;
            }

            rule.Validate(key);
            if (rule.Name is { Length: > 0 } name && !seen.Add(name))
            {
                key.Add(nameof(Name), $"'{name}' is used by another rule; rule names must be unique.");
            }
        }
    }

    /// <summary>Adds one message per bad value of this rule, under the rule's key path.</summary>
    public void Validate(OptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        errors.Check(!string.IsNullOrWhiteSpace(Name), nameof(Name), "is required.");
        RouteTable.ValidateMatch(Match, errors.Nested(nameof(Match)));

        AlertRuleKind? kind = null;
        if (string.IsNullOrWhiteSpace(Kind))
        {
            errors.Add(nameof(Kind), "is required (threshold, rate, attribute, absent, anomaly).");
        }
        else if (Enum.TryParse<AlertRuleKind>(Kind, ignoreCase: true, out var parsed) && !int.TryParse(Kind, out _))
        {
            kind = parsed;
        }
        else
        {
            errors.Add(nameof(Kind), $"'{Kind}' is not a rule kind (threshold, rate, attribute, absent, anomaly).");
        }

        AttributeCondition? condition = null;
        if (Condition is not null)
        {
            if (!AttributeCondition.TryParse(Condition, out condition, out var problem))
            {
                errors.Add(nameof(Condition), problem);
            }
        }

        var windowed = kind is AlertRuleKind.Threshold or AlertRuleKind.Rate;
        if (Window is { } window)
        {
            errors.Check(window > TimeSpan.Zero, nameof(Window), $"must be positive (got {window}).");
            errors.Check(window <= TimeSpan.FromDays(1), nameof(Window), $"must be at most one day (got {window}).");
            errors.Check(kind is null || windowed || kind == AlertRuleKind.Anomaly, nameof(Window), $"is only for threshold, rate and anomaly rules (this one is {Kind}).");
        }
        else
        {
            errors.Check(!windowed, nameof(Window), $"is required for a {Kind} rule (a time span such as 00:05:00).");
        }

        if (Threshold is { } threshold)
        {
            errors.Check(threshold > 0 && double.IsFinite(threshold), nameof(Threshold), $"must be a positive number (got {threshold}).");
            errors.Check(kind is null || windowed || kind == AlertRuleKind.Anomaly, nameof(Threshold), $"is only for threshold, rate and anomaly rules (this one is {Kind}).");
        }
        else
        {
            errors.Check(!windowed, nameof(Threshold), $"is required for a {Kind} rule.");
        }

        errors.Check(kind != AlertRuleKind.Attribute || Condition is not null, nameof(Condition), "is required for an attribute rule (e.g. \"data.battery < 15\").");
        errors.Check(For >= TimeSpan.Zero, nameof(For), $"must not be negative (got {For}).");
        errors.Check(kind != AlertRuleKind.Absent || For > TimeSpan.Zero, nameof(For), "must be positive for an absent rule: it is the silence that fires.");
        errors.Check(KeepFiringFor >= TimeSpan.Zero, nameof(KeepFiringFor), $"must not be negative (got {KeepFiringFor}).");
        errors.Check(RepeatInterval is null || RepeatInterval > TimeSpan.Zero, nameof(RepeatInterval), $"must be positive (got {RepeatInterval}), or left out to notify once.");
        if (ResolveBelow is { } resolve)
        {
            if (windowed)
            {
                errors.Check(resolve >= 0 && (Threshold is null || resolve <= Threshold), nameof(ResolveBelow),
                    $"must be 0 to the Threshold ({Threshold}) (got {resolve}): the alert resolves once the value drops below it.");
            }
            else if (kind == AlertRuleKind.Attribute && condition is not null)
            {
                errors.Check(condition.IsNumericOrdering, nameof(ResolveBelow),
                    "is only for a numeric condition with <, <=, > or >= (hysteresis needs an ordering).");
            }
            else if (kind is not null)
            {
                errors.Add(nameof(ResolveBelow), $"is only for threshold, rate and attribute rules (this one is {Kind}).");
            }
        }

        errors.Check(Array.IndexOf(Severities, Severity) >= 0, nameof(Severity), $"'{Severity}' is not a severity (critical, warning, info).");
        for (var i = 0; i < Channels.Count; i++)
        {
            errors.Check(!string.IsNullOrWhiteSpace(Channels[i]), $"{nameof(Channels)}:{i}", "empty channel name.");
        }

        for (var i = 0; i < GroupBy.Count; i++)
        {
            if (!EventPath.TryParse(GroupBy[i], out _, out var problem))
            {
                errors.Add($"{nameof(GroupBy)}:{i}", problem);
            }
        }

        foreach (var (name, _) in Labels)
        {
            errors.Check(LabelName().IsMatch(name), $"{nameof(Labels)}:{name}", "a label name is letters, digits and '_', not starting with a digit.");
        }

        foreach (var (name, template) in Annotations)
        {
            foreach (Match placeholder in Placeholder().Matches(template ?? ""))
            {
                var label = placeholder.Groups[1].Value;
                errors.Check(Array.IndexOf(BuiltInPlaceholders, label) >= 0 || GroupBy.Contains(label), $"{nameof(Annotations)}:{name}",
                    $"unknown placeholder '{{{{{label}}}}}' (known: robot_id, value, count, rule and the GroupBy labels).");
            }
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex LabelName();

    [GeneratedRegex(@"\{\{\s*([^}\s]+)\s*\}\}")]
    internal static partial Regex Placeholder();
}
