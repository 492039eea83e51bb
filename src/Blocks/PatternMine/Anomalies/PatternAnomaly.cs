namespace Pipeline.Blocks.PatternMine.Anomalies;

/// <summary>One detected anomaly: what, when, about which template or robot, and the numbers behind it.</summary>
public sealed class PatternAnomaly
{
    public required PatternAnomalyKind Kind { get; init; }

    /// <summary>When it was detected (new template: when the message arrived).</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The template's id, or 0 for a robot error spike.</summary>
    public ulong TemplateId { get; init; }

    /// <summary>The template's text when detected, or null for a robot error spike.</summary>
    public string? Template { get; init; }

    /// <summary>The robot (error spike; new template: the robot whose message created it), or null.</summary>
    public string? RobotId { get; init; }

    /// <summary>Count in the window (new template: 1).</summary>
    public double Value { get; init; }

    /// <summary>The baseline count per window it was compared with (new template: 0).</summary>
    public double Baseline { get; init; }

    /// <summary>A sentence for people.</summary>
    public required string Message { get; init; }
}
