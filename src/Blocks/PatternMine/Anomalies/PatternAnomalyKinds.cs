namespace Pipeline.Blocks.PatternMine.Anomalies;

/// <summary>The wire names of <see cref="PatternAnomalyKind"/> (events, API, metric labels), allocated once.</summary>
public static class PatternAnomalyKinds
{
    /// <summary>Every kind, in the order the per-window cap serves them.</summary>
    public static readonly PatternAnomalyKind[] All = [PatternAnomalyKind.RobotErrorSpike, PatternAnomalyKind.TemplateRateSpike, PatternAnomalyKind.NewTemplate];

    /// <summary>The event <c>type</c> of the events anomalies become; the pattern-mine block does not mine them.</summary>
    public const string EventType = "pattern_anomaly";

    public static string Name(this PatternAnomalyKind kind) => kind switch
    {
        PatternAnomalyKind.NewTemplate => "new_template",
        PatternAnomalyKind.TemplateRateSpike => "template_rate_spike",
        PatternAnomalyKind.RobotErrorSpike => "robot_error_spike",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
