namespace Pipeline.Blocks.Alerts;

/// <summary>What a rule measures (<c>Pipeline:Alerts:Rules:N:Kind</c>).</summary>
public enum AlertRuleKind
{
    /// <summary>At least <c>Threshold</c> matching events in the sliding <c>Window</c>.</summary>
    Threshold,

    /// <summary>At least <c>Threshold</c> matching events per second, averaged over <c>Window</c>.</summary>
    Rate,

    /// <summary>The group's latest matching event meets <c>Condition</c> (<c>data.battery &lt; 15</c>).</summary>
    Attribute,

    /// <summary>No matching event for <c>For</c> in a group (a robot that went silent on an open connection).</summary>
    Absent,

    /// <summary>The pattern block's <c>pattern_anomaly</c> events: fires per group, resolves once none came for <c>Window</c>.</summary>
    Anomaly,
}
