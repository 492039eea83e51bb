using System.Collections.Concurrent;
using System.Text;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.PatternMine.Anomalies.Internal;
using Prometheus;

namespace Pipeline.Blocks.PatternMine.Anomalies;

/// <summary>
/// Finds anomalies in what the pattern-mine block sees: templates created after the warm-up, templates
/// whose count in a window spikes above their own baseline, robots whose error count spikes above theirs.
/// The block reports to it (<see cref="IPatternObserver"/>: per template created, per batch); a timer calls
/// <see cref="Tick"/> once per window, which evaluates the window and returns its anomalies (at most
/// <see cref="PatternAnomalyOptions.MaxAnomaliesPerWindow"/>, the rest counted as suppressed).
/// </summary>
/// <remarks>
/// Per event the block's workers only compare a robot_id with the previous event's and count: one
/// dictionary lookup and one Interlocked add per run of a robot's events in a batch, no allocation.
/// Per template and per robot there is one small state object; both are bounded (the miner bounds its
/// templates; robots by <see cref="PatternAnomalyOptions.MaxRobots"/>).
/// </remarks>
public sealed partial class PatternAnomalyDetector : IPatternObserver
{
    private readonly TemplateMiner _miner;
    private readonly PatternAnomalyOptions _options;
    private readonly TimeProvider _time;
    private readonly long _startedAt;
    private readonly double _alpha;
    private readonly object _gate = new();
    private readonly AnomalyRing _recent;
    private readonly ConcurrentQueue<(PatternTemplate Template, PatternAnomaly Anomaly)> _created = new();
    private readonly Counter _detected;
    private readonly Counter _suppressed;
    private int _createdPending;
    private long _createdSuppressed;
    private long _lastTickAt;
    private long _tick;

    public PatternAnomalyDetector(TemplateMiner miner, PatternAnomalyOptions options, TimeProvider time, PipelineMetrics metrics)
    {
        _miner = miner;
        _options = options.Snapshot();
        _options.Validate();
        _time = time;
        _startedAt = time.GetUtcNow().ToUnixTimeMilliseconds();
        _lastTickAt = _startedAt;

        // A window as old as the half-life weighs half: (1 - alpha)^(halfLife / window) = 1/2.
        _alpha = 1 - Math.Pow(0.5, _options.Window.TotalMilliseconds / _options.BaselineHalfLife.TotalMilliseconds);
        _recent = new AnomalyRing(_options.RecentCapacity);

        var factory = Prometheus.Metrics.WithCustomRegistry(metrics.Registry);
        _detected = factory.CreateCounter("pipeline_pattern_anomalies_total",
            "Pattern anomalies emitted, by kind.", new CounterConfiguration { LabelNames = ["kind"] });
        _suppressed = factory.CreateCounter("pipeline_pattern_anomalies_suppressed_total",
            "Pattern anomalies not emitted: over the per-window cap, or inside the cooldown after the same template's or robot's previous one.",
            new CounterConfiguration { LabelNames = ["kind", "reason"] });
        _robotsForgotten = factory.CreateCounter("pipeline_pattern_anomaly_robots_forgotten_total",
            "Robots whose error baseline was dropped after they were idle for RobotIdleTimeout.");
        _robotsUntracked = factory.CreateCounter("pipeline_pattern_anomaly_untracked_events_total",
            "ERROR/CRITICAL events of robots not tracked for error spikes because MaxRobots robots were tracked already.");
        foreach (var kind in PatternAnomalyKinds.All)
        {
            _detected.WithLabels(kind.Name());
        }
    }

    /// <summary>The options in force (a snapshot).</summary>
    public PatternAnomalyOptions Options => _options;

    /// <summary>Whether the warm-up is over: templates created from now on are anomalies.</summary>
    public bool WarmedUp => _time.GetUtcNow().ToUnixTimeMilliseconds() - _startedAt >= (long)_options.WarmUp.TotalMilliseconds;

    /// <inheritdoc />
    public void OnCreated(PatternTemplate template, EventBatch batch, int index)
    {
        if (!WarmedUp)
        {
            return;
        }

        // Bounded: a flood of unique messages must not queue without limit; the cap drops the rest anyway.
        if (Interlocked.Increment(ref _createdPending) > _options.MaxAnomaliesPerWindow)
        {
            Interlocked.Decrement(ref _createdPending);
            Interlocked.Increment(ref _createdSuppressed);
            return;
        }

        var robot = RobotIdOf(batch, batch.Events[index].RobotId);
        var text = template.Text;
        _created.Enqueue((template, new PatternAnomaly
        {
            Kind = PatternAnomalyKind.NewTemplate,
            Time = _time.GetUtcNow(),
            TemplateId = template.Id,
            Template = text,
            RobotId = robot,
            Value = 1,
            Baseline = 0,
            Message = robot is null
                ? $"New log pattern {template.Id:x16}: {text}"
                : $"New log pattern {template.Id:x16} (first from robot {robot}): {text}",
        }));
    }

    /// <summary>
    /// Closes the window: evaluates every template and robot, returns this window's anomalies (robot error
    /// spikes, template spikes, new templates; at most the per-window cap) and keeps them for <see cref="Recent"/>.
    /// A call less than half a window after the previous one (a shutdown flush) only hands out new templates:
    /// the counts go on into the next window rather than being judged on a partial one.
    /// </summary>
    public IReadOnlyList<PatternAnomaly> Tick()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var elapsed = now - _lastTickAt;
            var found = new List<PatternAnomaly>();
            var newTemplates = TakeCreated();
            if (elapsed * 2 >= (long)_options.Window.TotalMilliseconds)
            {
                _lastTickAt = now;
                _tick++;
                TickRobots(now, found);
                TickTemplates(now, elapsed, found);
            }

            found.AddRange(newTemplates);
            var kept = Math.Min(found.Count, _options.MaxAnomaliesPerWindow);
            for (var i = kept; i < found.Count; i++)
            {
                _suppressed.WithLabels(found[i].Kind.Name(), "cap").Inc();
            }

            // In time order (a new template's time is its first message, before the window closed), so the
            // events and the recent list read as they happened. OrderBy is stable: ties keep their order.
            List<PatternAnomaly> emitted = [.. found.Take(kept).OrderBy(a => a.Time)];

            var lateSuppressed = Interlocked.Exchange(ref _createdSuppressed, 0);
            if (lateSuppressed > 0)
            {
                _suppressed.WithLabels(PatternAnomalyKind.NewTemplate.Name(), "cap").Inc(lateSuppressed);
            }

            foreach (var anomaly in emitted)
            {
                _detected.WithLabels(anomaly.Kind.Name()).Inc();
                _recent.Add(anomaly);
            }

            return emitted;
        }
    }

    /// <summary>The latest anomalies, newest first.</summary>
    public IReadOnlyList<PatternAnomaly> Recent(int limit) => _recent.Latest(limit);

    /// <summary>Anomalies emitted so far, by kind (the metric's value).</summary>
    public long Emitted(PatternAnomalyKind kind) => (long)_detected.WithLabels(kind.Name()).Value;

    /// <summary>Anomalies suppressed so far, by kind and reason (<c>cap</c> or <c>cooldown</c>).</summary>
    public long Suppressed(PatternAnomalyKind kind, string reason) => (long)_suppressed.WithLabels(kind.Name(), reason).Value;

    private List<PatternAnomaly> TakeCreated()
    {
        var list = new List<PatternAnomaly>();
        while (_created.TryDequeue(out var item))
        {
            Interlocked.Decrement(ref _createdPending);
            list.Add(item.Anomaly);

            // Its messages so far are this window's: its rate starts from zero, not from its count.
            _templates.TryAdd(item.Template.Id, new TemplateRateState(item.Template, 0) { SeenInTick = _tick });
        }

        return list;
    }

    private static string? RobotIdOf(EventBatch batch, Slice robotId)
    {
        if (robotId.IsEmpty)
        {
            return null;
        }

        var buffer = Array.Empty<byte>();
        return Encoding.UTF8.GetString(JsonUnescaper.Unescape(batch[robotId], ref buffer));
    }

    private static string Number(double value) => value.ToString(value >= 100 ? "0" : "0.#", System.Globalization.CultureInfo.InvariantCulture);

    private string WindowText => $"{Number(_options.Window.TotalSeconds)} s";
}
