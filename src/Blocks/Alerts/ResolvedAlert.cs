namespace Pipeline.Blocks.Alerts;

/// <summary>An alert that resolved (the last <c>RecentResolved</c> are kept for <c>GET /api/alerts</c>).</summary>
public sealed record ResolvedAlert(
    string Rule,
    string GroupKey,
    string Fingerprint,
    IReadOnlyDictionary<string, string> Labels,
    DateTimeOffset FiringSince,
    DateTimeOffset ResolvedAt,
    int NotificationsSent,
    bool Notified);
