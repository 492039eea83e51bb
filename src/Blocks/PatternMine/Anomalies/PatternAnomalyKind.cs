namespace Pipeline.Blocks.PatternMine.Anomalies;

/// <summary>What an anomaly is about. Written as <c>new_template</c>, <c>template_rate_spike</c>, <c>robot_error_spike</c>.</summary>
public enum PatternAnomalyKind
{
    /// <summary>A message created a template after the warm-up: something the fleet never logged before.</summary>
    NewTemplate,

    /// <summary>A template's count in a window was well above its own baseline.</summary>
    TemplateRateSpike,

    /// <summary>A robot's ERROR/CRITICAL count in a window was well above its own baseline.</summary>
    RobotErrorSpike,
}
