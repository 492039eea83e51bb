namespace Pipeline.Blocks.Alerts.Internal;

internal sealed partial class AlertEngine
{
    public IReadOnlyList<AlertStatus> Active()
    {
        var list = new List<AlertStatus>();
        lock (_gate)
        {
            foreach (var rule in _rules)
            {
                foreach (var o in rule.Feed.Groups.Snapshot())
                {
                    var g = o.Alerts[rule.FeedIndex];
                    if (!g.IsActive)
                    {
                        continue;
                    }

                    var since = g.State switch
                    {
                        AlertState.Pending => g.PendingSince,
                        AlertState.Offline => g.OfflineSince,
                        _ => g.FiringSince,
                    };
                    var firing = g.State == AlertState.Firing || (g.State == AlertState.Offline && g.OfflineFrom == AlertState.Firing);
                    list.Add(new AlertStatus(rule.Name, g.GroupKey, g.Fingerprint, g.State, Labels(rule, g), double.IsNaN(g.Value) ? null : g.Value, At(since),
                        firing ? At(g.FiringSince) : null, g.Flapping, g.Silenced, g.Notifications,
                        g.LastNotified > 0 ? At(g.LastNotified) : null, rule.Options.Severity));
                }
            }
        }

        return list;
    }

    public IReadOnlyList<ResolvedAlert> RecentResolved()
    {
        lock (_gate)
        {
            return [.. _resolved.Reverse()];
        }
    }

    public IReadOnlyList<AlertRuleStatus> Rules()
    {
        var list = new List<AlertRuleStatus>();
        lock (_gate)
        {
            foreach (var rule in _rules)
            {
                int pending = 0, firing = 0, offline = 0;
                foreach (var o in rule.Feed.Groups.Snapshot())
                {
                    var g = o.Alerts[rule.FeedIndex];
                    pending += g.State == AlertState.Pending ? 1 : 0;
                    firing += g.State == AlertState.Firing ? 1 : 0;
                    offline += g.State == AlertState.Offline ? 1 : 0;
                }

                list.Add(new AlertRuleStatus(rule.Name, rule.Kind, rule.Feed.Groups.Count, pending, firing, offline, rule.Feed.Groups.Evicted, rule.Channels));
            }
        }

        return list;
    }
}
