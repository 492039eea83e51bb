using System.Text.Json;
using Pipeline.Blocks.Routes;

namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>
/// A validated rule prepared for matching without allocating: its <c>Match</c> as a <see cref="CompiledRoute"/>
/// (the routes' semantics, shared code), its condition, its group-by paths, and its window's bucket layout.
/// Observes through an <see cref="AlertFeed"/> it shares with the rules of the same match and group-by.
/// </summary>
internal sealed class CompiledRule
{
    /// <summary>Buckets per window at most: a window is exact to Window/120 (or the evaluation interval, if coarser).</summary>
    private const int MaxBuckets = 120;

    public CompiledRule(AlertRuleOptions options, AlertsOptions engine)
    {
        Options = options;
        Name = options.Name!;
        Kind = Enum.Parse<AlertRuleKind>(options.Kind!, ignoreCase: true);
        Match = new CompiledRoute(0, new RouteOptions { Name = Name, Match = options.Match });
        if (options.Condition is { } condition)
        {
            AttributeCondition.TryParse(condition, out var parsed, out _);
            Condition = parsed;
        }

        GroupBy = [.. options.GroupBy.Select(p => { EventPath.TryParse(p, out var path, out _); return path; })];
        Window = options.Window ?? (Kind == AlertRuleKind.Anomaly ? TimeSpan.FromMinutes(5) : TimeSpan.Zero);
        Threshold = options.Threshold ?? 1;
        ResolveAt = options.ResolveBelow ?? (Kind == AlertRuleKind.Attribute ? Condition?.Number ?? 0 : Threshold);
        if (Window > TimeSpan.Zero)
        {
            BucketTicks = Math.Max(engine.EvaluationInterval.Ticks, (Window.Ticks + MaxBuckets - 1) / MaxBuckets);
            BucketCount = (int)((Window.Ticks + BucketTicks - 1) / BucketTicks);
        }

        FiresAtOnce = Kind != AlertRuleKind.Absent && Options.For == TimeSpan.Zero;
        WakeCount = Kind == AlertRuleKind.Rate ? (long)Math.Ceiling(Threshold * Window.TotalSeconds) : (long)Math.Ceiling(Threshold);

        // Interned: rules with the same group-by share one instance, so the per-event key cache compares references.
        GroupBySignature = string.Intern(string.Join('\u001f', options.GroupBy));
        Channels = [.. options.Channels];
        LearnsFromRegistry = Kind == AlertRuleKind.Absent && GroupBy.Length > 0 &&
            Array.TrueForAll(GroupBy, p => p.Field is EventField.RobotId or EventField.Site) &&
            Array.Exists(GroupBy, p => p.Field == EventField.RobotId);

        // Rules whose groups mean the same survive a reload with their state.
        Signature = $"{Kind}|{string.Join(',', options.GroupBy)}|{Window}|{BucketTicks}";

        // What the rule observes: rules equal in this share one feed (the condition filters unless the rule is an attribute rule).
        FeedSignature = string.Join('\u001e', Kind == AlertRuleKind.Anomaly ? "anomaly" : "", JsonSerializer.Serialize(options.Match),
            Kind == AlertRuleKind.Attribute ? "" : Condition?.Text ?? "", GroupBySignature);
    }

    public string Name { get; }
    public AlertRuleOptions Options { get; }
    public AlertRuleKind Kind { get; }
    public CompiledRoute Match { get; }
    public AttributeCondition? Condition { get; }
    public EventPath[] GroupBy { get; }
    public string GroupBySignature { get; }
    public TimeSpan Window { get; }
    public double Threshold { get; }
    public double ResolveAt { get; }
    public long BucketTicks { get; }
    public int BucketCount { get; }
    public string[] Channels { get; }
    public bool LearnsFromRegistry { get; }
    public string Signature { get; }
    public string FeedSignature { get; }

    /// <summary>The feed the rule observes through, its index there, and its slots in the feed's groups (-1: none); set when the engine takes the rules.</summary>
    public AlertFeed Feed { get; set; } = null!;
    public int FeedIndex { get; set; }
    public int WindowSlot { get; set; } = -1;
    public int ValueSlot { get; set; } = -1;
    public int ConditionSlot { get; set; } = -1;

    /// <summary>The rule's position in the engine's rules (its metrics).</summary>
    public int Index { get; set; }

    /// <summary>The rule's bit in its feed's groups' <see cref="ObservedGroup.Armed"/>.</summary>
    public ulong Bit => 1UL << FeedIndex;

    /// <summary>Ticks the alert must be pending before it fires (absent rules fire once silent for <c>For</c>).</summary>
    public long PendingTicks => Kind == AlertRuleKind.Absent ? 0 : Options.For.Ticks;

    public bool Windowed => BucketCount > 0;

    /// <summary>No <c>For</c>: a group fires at the evaluation that sees it over, so an event that puts it over asks for one early.</summary>
    public bool FiresAtOnce { get; }

    /// <summary>Windowed rules: the count in the window at which a group is over (a rate's threshold times the window).</summary>
    public long WakeCount { get; }
}
