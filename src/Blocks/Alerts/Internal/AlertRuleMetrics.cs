using Prometheus;

namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>One rule's metric children, so that the hot path (evictions) and the tick only increment.</summary>
internal sealed class AlertRuleMetrics
{
    private readonly AlertMetrics _metrics;
    private readonly string _rule;

    public AlertRuleMetrics(AlertMetrics metrics, string rule)
    {
        _metrics = metrics;
        _rule = rule;
        Evicted = metrics.Evicted.WithLabels(rule);
        Notices = metrics.Notices.WithLabels(rule);
        Silenced = metrics.Silenced.WithLabels(rule);
        Pending = metrics.Active.WithLabels(rule, "pending");
        Firing = metrics.Active.WithLabels(rule, "firing");
        Offline = metrics.Active.WithLabels(rule, "offline");
    }

    public Counter.Child Evicted { get; }
    public Counter.Child Notices { get; }
    public Counter.Child Silenced { get; }
    public Gauge.Child Pending { get; }
    public Gauge.Child Firing { get; }
    public Gauge.Child Offline { get; }

    public void Transition(string to) => _metrics.Transitions.WithLabels(_rule, to).Inc();
}
