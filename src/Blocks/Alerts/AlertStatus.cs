namespace Pipeline.Blocks.Alerts;

/// <summary>One active alert (pending, firing or offline) as <c>GET /api/alerts</c> shows it. <c>Value</c> is null where there is no number (a string condition).</summary>
public sealed record AlertStatus(
    string Rule,
    string GroupKey,
    string Fingerprint,
    AlertState State,
    IReadOnlyDictionary<string, string> Labels,
    double? Value,
    DateTimeOffset Since,
    DateTimeOffset? FiringSince,
    bool Flapping,
    bool Silenced,
    int NotificationsSent,
    DateTimeOffset? LastNotified,
    string Severity);
