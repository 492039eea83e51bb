namespace Pipeline.Blocks.Alerts;

/// <summary>
/// One thing to tell a notification channel: an alert of a rule's group that fires or resolved, or an
/// event a route sends to channels. Made on a state change or per routed event, not per matched event,
/// so it may allocate. Channels merge bursts of notices into one message (counts per
/// <see cref="Source"/> + <see cref="GroupKey"/>, a few examples), so <see cref="Count"/> adds up.
/// </summary>
public sealed class AlertNotice
{
    private static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();

    /// <summary>The rule's <c>Name</c>, or the route's name for <see cref="AlertNoticeKind.Event"/>.</summary>
    public required string Source { get; init; }

    public required AlertNoticeKind Kind { get; init; }

    /// <summary>The group's <c>GroupBy</c> values as <c>robot_id=r-7,site=hall-2</c>; empty when the rule does not group.</summary>
    public required string GroupKey { get; init; }

    /// <summary>Stable id of rule + group (hex), as Alertmanager's <c>fingerprint</c>.</summary>
    public required string Fingerprint { get; init; }

    /// <summary><c>alertname</c>, <c>severity</c>, the <c>GroupBy</c> labels and the rule's <c>Labels</c>.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = None;

    /// <summary>The rule's <c>Annotations</c>, templates filled in (<c>{{robot_id}}</c>, <c>{{value}}</c>, …).</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = None;

    /// <summary>When the alert started firing (for an event: the event's time).</summary>
    public required DateTimeOffset StartsAt { get; init; }

    /// <summary>When it resolved; null while firing.</summary>
    public DateTimeOffset? EndsAt { get; init; }

    /// <summary>The rule's value at the change: the count in the window, the rate, the attribute's value; null for events.</summary>
    public double? Value { get; init; }

    /// <summary>How many events this notice stands for (1 for one routed event; the count in the window for a threshold).</summary>
    public long Count { get; init; } = 1;

    /// <summary>The group changes state too often and is held firing (flap damping).</summary>
    public bool Flapping { get; init; }

    /// <summary>An example: the triggering event's JSON line (or its <c>msg</c>), cut by the channel to fit.</summary>
    public string? Example { get; init; }

    /// <summary>The rule's <c>Severity</c> (<c>critical</c>, <c>warning</c>, <c>info</c>); the event's level for routed events.</summary>
    public string Severity { get; init; } = "warning";
}
