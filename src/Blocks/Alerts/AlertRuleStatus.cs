namespace Pipeline.Blocks.Alerts;

/// <summary>One rule as <c>GET /api/alerts/rules</c> shows it: the groups it holds and how many alerts are in each state.</summary>
public sealed record AlertRuleStatus(
    string Name,
    AlertRuleKind Kind,
    int Groups,
    int Pending,
    int Firing,
    int Offline,
    long GroupsEvicted,
    IReadOnlyList<string> Channels);
