using Pipeline.Blocks.Alerts;

namespace Pipeline.Channels.Tests.Infrastructure;

/// <summary>Notices as the alert block makes them.</summary>
public static class Notices
{
    public static readonly DateTimeOffset Start = new(2026, 12, 3, 11, 59, 0, TimeSpan.Zero);

    public static AlertNotice Of(string source, string robot, AlertNoticeKind kind = AlertNoticeKind.Firing, long count = 1, string? example = null,
        string severity = "critical") => new()
    {
        Source = source,
        Kind = kind,
        GroupKey = $"robot_id={robot}",
        Fingerprint = $"{(uint)HashCode.Combine(source, robot):x8}{(uint)robot.Length:x8}",
        Labels = new Dictionary<string, string> { ["alertname"] = source, ["severity"] = severity, ["robot_id"] = robot },
        Annotations = new Dictionary<string, string> { ["summary"] = $"{source} on {robot}" },
        StartsAt = Start,
        EndsAt = kind == AlertNoticeKind.Resolved ? Start.AddMinutes(1) : null,
        Count = count,
        Example = example,
        Severity = severity,
    };
}
