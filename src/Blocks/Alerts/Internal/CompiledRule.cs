using System.Text;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.PatternMine.Anomalies;
using Pipeline.Blocks.Routes;

namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>
/// A validated rule prepared for matching without allocating: its <c>Match</c> as a <see cref="CompiledRoute"/>
/// (the routes' semantics, shared code), its condition, its group-by paths, and its window's bucket layout.
/// Owns the rule's groups.
/// </summary>
internal sealed class CompiledRule
{
    /// <summary>Buckets per window at most: a window is exact to Window/120 (or the evaluation interval, if coarser).</summary>
    private const int MaxBuckets = 120;

    private static readonly byte[] AnomalyType = Encoding.UTF8.GetBytes(PatternAnomalyKinds.EventType);

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
        Groups = new GroupTable(engine.MaxGroupsPerRule);

        // Rules whose groups mean the same survive a reload with their state.
        Signature = $"{Kind}|{string.Join(',', options.GroupBy)}|{Window}|{BucketTicks}";
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
    public GroupTable Groups { get; private set; }

    /// <summary>Ticks the alert must be pending before it fires (absent rules fire once silent for <c>For</c>).</summary>
    public long PendingTicks => Kind == AlertRuleKind.Absent ? 0 : Options.For.Ticks;

    public bool Windowed => BucketCount > 0;

    /// <summary>Numeric attribute rules: the slot of the condition's path in the engine's <see cref="AttributeReader"/>; -1 reads the path alone.</summary>
    public int AttributeSlot { get; set; } = -1;

    /// <summary>No <c>For</c>: a group fires at the evaluation that sees it over, so an event that puts it over asks for one early.</summary>
    public bool FiresAtOnce { get; }

    /// <summary>Windowed rules: the count in the window at which a group is over (a rate's threshold times the window).</summary>
    public long WakeCount { get; }

    /// <summary>Takes over the groups of the rule this one replaces (same name, same signature).</summary>
    public void Adopt(CompiledRule previous) => Groups = previous.Groups;

    /// <summary>Whether the event counts for the rule (before grouping). Attribute rules evaluate their condition per group.</summary>
    public bool Matches(EventBatch batch, ref readonly EventRecord e)
    {
        if (Kind == AlertRuleKind.Anomaly && !batch[e.Type].SequenceEqual(AnomalyType))
        {
            return false;
        }

        if (!Match.Matches(batch, in e))
        {
            return false;
        }

        return Kind == AlertRuleKind.Attribute || Condition is null || Condition.Evaluate(batch, in e, out _, out _);
    }
}
