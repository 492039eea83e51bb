using System.Collections.Concurrent;
using Prometheus;

namespace Pipeline.Blocks.Metrics;

/// <summary>
/// One component's counters, with the label lookups done once: blocks add per batch, never per event.
/// </summary>
public sealed class ComponentMetrics
{
    private readonly PipelineMetrics _metrics;
    private readonly ConcurrentDictionary<string, Counter.Child> _discarded = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Counter.Child> _errors = new(StringComparer.Ordinal);

    internal ComponentMetrics(PipelineMetrics metrics, string component)
    {
        _metrics = metrics;
        Component = component;
        In = metrics.ComponentEvents.WithLabels(component, "in");
        Out = metrics.ComponentEvents.WithLabels(component, "out");
    }

    public string Component { get; }
    public Counter.Child In { get; }
    public Counter.Child Out { get; }

    public void Discarded(string reason, long count = 1) =>
        _discarded.GetOrAdd(reason, static (r, m) => m._metrics.ComponentDiscarded.WithLabels(m.Component, r), this).Inc(count);

    public void Error(string stage, long count = 1) =>
        _errors.GetOrAdd(stage, static (s, m) => m._metrics.ComponentErrors.WithLabels(m.Component, s), this).Inc(count);

    public double DiscardedCount(string reason) => _metrics.ComponentDiscarded.WithLabels(Component, reason).Value;
}
