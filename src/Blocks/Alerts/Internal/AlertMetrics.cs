using System.Collections.Concurrent;
using Prometheus;

namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>The alert engine's metrics, on the pipeline's registry; per-rule children looked up once per rule.</summary>
internal sealed class AlertMetrics
{
    private readonly ConcurrentDictionary<string, AlertRuleMetrics> _rules = new(StringComparer.Ordinal);

    public AlertMetrics(Metrics.PipelineMetrics metrics)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(metrics.Registry);
        Rules = factory.CreateGauge("pipeline_alert_rules", "Alert rules loaded (configuration and rules file).");
        Active = factory.CreateGauge("pipeline_alert_active", "Alerts per rule and state (pending, firing, offline).",
            new GaugeConfiguration { LabelNames = ["rule", "state"] });
        Transitions = factory.CreateCounter("pipeline_alert_transitions_total", "Alert state changes, by the state entered.",
            new CounterConfiguration { LabelNames = ["rule", "to"] });
        Evicted = factory.CreateCounter("pipeline_alert_groups_evicted_total", "Groups dropped because a rule held MaxGroupsPerRule.",
            new CounterConfiguration { LabelNames = ["rule"] });
        Notices = factory.CreateCounter("pipeline_alert_notices_total", "Notices handed to the notifier (one per channel).",
            new CounterConfiguration { LabelNames = ["rule"] });
        Evaluations = factory.CreateCounter("pipeline_alert_evaluations_total",
            "Evaluations: tick (every group, every EvaluationInterval) and early (only the groups an event put over a rule without For).",
            new CounterConfiguration { LabelNames = ["kind"] });
        Silenced = factory.CreateCounter("pipeline_alert_notices_silenced_total", "Notices not sent because a silence covered the alert.",
            new CounterConfiguration { LabelNames = ["rule"] });
    }

    public Gauge Rules { get; }
    public Gauge Active { get; }
    public Counter Transitions { get; }
    public Counter Evicted { get; }
    public Counter Notices { get; }
    public Counter Silenced { get; }
    public Counter Evaluations { get; }

    public AlertRuleMetrics ForRule(string rule) => _rules.GetOrAdd(rule, static (name, m) => new AlertRuleMetrics(m, name), this);
}
