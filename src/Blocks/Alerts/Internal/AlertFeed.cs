using System.Globalization;
using System.Text;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.PatternMine.Anomalies;
using Pipeline.Blocks.PatternMine.Internal;
using Pipeline.Blocks.Routes;

namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>
/// What rules with the same <c>Match</c> and <c>GroupBy</c> observe, kept once for all of them: the groups, and per
/// group the last-seen time, one window per bucket layout, one value per attribute path and one flag per string
/// condition. An event is matched and its group found once per feed, not once per rule; each rule keeps only its
/// own alert state per group (<see cref="AlertGroup"/>) and reads the feed's observations when evaluated.
/// Rule sets repeat a filter with other thresholds, windows or kinds (battery &lt; 15 warns, &lt; 5 pages; a rate
/// and an absence over heartbeats), so a fleet's 50 rules are a handful of feeds.
/// </summary>
internal sealed class AlertFeed
{
    /// <summary>Rules per feed at most (one bit each in <see cref="ObservedGroup.Armed"/>); more start another feed.</summary>
    public const int MaxRules = 64;

    private static readonly byte[] AnomalyType = Encoding.UTF8.GetBytes(PatternAnomalyKinds.EventType);

    private readonly List<CompiledRule> _rules = [];
    private readonly List<(long Ticks, int Count)> _windows = [];
    private readonly List<AttributeCondition> _values = [];
    private readonly List<AttributeCondition> _conditions = [];

    public AlertFeed(CompiledRule first, int capacity)
    {
        Signature = first.FeedSignature;
        Match = first.Match;
        AnomalyOnly = first.Kind == AlertRuleKind.Anomaly;
        Filter = first.Kind == AlertRuleKind.Attribute ? null : first.Condition;
        GroupBy = first.GroupBy;
        GroupBySignature = first.GroupBySignature;
        Groups = new GroupTable(capacity);
        Add(first);
    }

    /// <summary>Match, anomaly filter, filtering condition and group-by: feeds of equal signature observe the same.</summary>
    public string Signature { get; }
    public CompiledRoute Match { get; }
    public bool AnomalyOnly { get; }
    public AttributeCondition? Filter { get; }
    public EventPath[] GroupBy { get; }
    public string GroupBySignature { get; }
    public GroupTable Groups { get; private set; }

    public CompiledRule[] Rules { get; private set; } = [];

    /// <summary>Bucket length and count of each window slot.</summary>
    public long[] WindowTicks { get; private set; } = [];
    public int[] WindowBuckets { get; private set; } = [];

    /// <summary>The numeric conditions whose paths the value slots hold (one per path), and the slot of each in the engine's reader (-1: read alone).</summary>
    public AttributeCondition[] Values { get; private set; } = [];
    public int[] ValueReaderSlots { get; private set; } = [];

    /// <summary>The string conditions whose last outcome the condition slots hold (one per condition text).</summary>
    public AttributeCondition[] Conditions { get; private set; } = [];

    /// <summary>Per window, value and condition slot: the bits of its rules that fire at once (an event may ask for an early evaluation).</summary>
    public ulong[] WindowWake { get; private set; } = [];
    public ulong[] ValueWake { get; private set; } = [];
    public ulong[] ConditionWake { get; private set; } = [];

    /// <summary>Per window and value slot: its rules that fire at once (what an event's wake check goes through).</summary>
    public CompiledRule[][] WindowWakeRules { get; private set; } = [];
    public CompiledRule[][] ValueWakeRules { get; private set; } = [];

    /// <summary>The bits of all rules that fire at once: a new group has all of them armed.</summary>
    public ulong AtOnce { get; private set; }

    public bool LearnsFromRegistry { get; private set; }

    public bool IsFull => _rules.Count >= MaxRules;

    /// <summary>Takes a rule of this feed's signature: it gets its index and slots.</summary>
    public void Add(CompiledRule rule)
    {
        rule.Feed = this;
        rule.FeedIndex = _rules.Count;
        rule.WindowSlot = -1;
        rule.ValueSlot = -1;
        rule.ConditionSlot = -1;
        _rules.Add(rule);
        if (rule.Windowed)
        {
            rule.WindowSlot = Slot(_windows, (rule.BucketTicks, rule.BucketCount), (a, b) => a == b);
        }

        if (rule.Kind == AlertRuleKind.Attribute && rule.Condition is { } condition)
        {
            if (condition.IsNumber)
            {
                rule.ValueSlot = Slot(_values, condition, (a, b) => a.Path.Text == b.Path.Text);
            }
            else
            {
                rule.ConditionSlot = Slot(_conditions, condition, (a, b) => a.Text == b.Text);
            }
        }

        LearnsFromRegistry |= rule.LearnsFromRegistry;
    }

    /// <summary>Fixes the slot arrays once every rule is in; <paramref name="readerSlot"/> gives a numeric path's slot in the engine's reader.</summary>
    public void Seal(Func<EventPath, int> readerSlot)
    {
        Rules = [.. _rules];
        WindowTicks = [.. _windows.Select(w => w.Ticks)];
        WindowBuckets = [.. _windows.Select(w => w.Count)];
        Values = [.. _values];
        ValueReaderSlots = [.. _values.Select(v => readerSlot(v.Path))];
        Conditions = [.. _conditions];
        WindowWake = new ulong[_windows.Count];
        ValueWake = new ulong[_values.Count];
        ConditionWake = new ulong[_conditions.Count];
        WindowWakeRules = [.. Enumerable.Range(0, _windows.Count).Select(w => Rules.Where(r => r.FiresAtOnce && r.WindowSlot == w).ToArray())];
        ValueWakeRules = [.. Enumerable.Range(0, _values.Count).Select(v => Rules.Where(r => r.FiresAtOnce && r.ValueSlot == v).ToArray())];
        AtOnce = 0;
        foreach (var rule in Rules)
        {
            if (!rule.FiresAtOnce)
            {
                continue;
            }

            var bit = rule.Bit;
            AtOnce |= bit;
            if (rule.WindowSlot >= 0)
            {
                WindowWake[rule.WindowSlot] |= bit;
            }

            if (rule.ValueSlot >= 0)
            {
                ValueWake[rule.ValueSlot] |= bit;
            }

            if (rule.ConditionSlot >= 0)
            {
                ConditionWake[rule.ConditionSlot] |= bit;
            }
        }
    }

    /// <summary>Whether events of type <paramref name="type"/> (null: a type no feed names) can be observed: the type conditions only.</summary>
    public bool AdmitsType(byte[]? type)
    {
        if (type is null)
        {
            return !AnomalyOnly && Match.Types.Count == 0;
        }

        if (AnomalyOnly && !type.AsSpan().SequenceEqual(AnomalyType))
        {
            return false;
        }

        return Match.Types.Count == 0 || Match.Types.Any(t => t.AsSpan().SequenceEqual(type));
    }

    /// <summary>The types this feed's conditions name (its match's, the anomaly type): the feed index's keys.</summary>
    public IEnumerable<byte[]> NamedTypes => AnomalyOnly ? [.. Match.Types, AnomalyType] : Match.Types;

    /// <summary>Whether the event is observed by this feed (before grouping).</summary>
    public bool Matches(EventBatch batch, ref readonly EventRecord e)
    {
        if (AnomalyOnly && !batch[e.Type].SequenceEqual(AnomalyType))
        {
            return false;
        }

        if (!Match.Matches(batch, in e))
        {
            return false;
        }

        return Filter is null || Filter.Evaluate(batch, in e, out _, out _);
    }

    /// <summary>Whether a window count of <paramref name="total"/> puts an armed rule of window slot <paramref name="slot"/> over.</summary>
    public bool WakesAt(int slot, long total, ulong armed)
    {
        foreach (var rule in WindowWakeRules[slot])
        {
            if ((armed & rule.Bit) != 0 && total >= rule.WakeCount)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a new value of value slot <paramref name="slot"/> meets an armed rule's condition.</summary>
    public bool WakesOn(int slot, double value, ulong armed)
    {
        foreach (var rule in ValueWakeRules[slot])
        {
            if ((armed & rule.Bit) != 0 && rule.Condition!.Meets(value))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A group for a key seen for the first time, with an inactive alert for each rule.</summary>
    public ObservedGroup NewGroup(byte[] key, ulong hash, string groupKey, Dictionary<string, string> labels, ulong robotHash)
    {
        var group = new ObservedGroup(this, key, hash, groupKey, labels, WindowBuckets, Values.Length, Conditions.Length) { RobotHash = robotHash, Armed = AtOnce };
        group.Alerts = [.. Rules.Select(r => new AlertGroup(group, Fingerprint(r, key)))];
        return group;
    }

    /// <summary>
    /// Takes over the groups of the feed this one replaces (same signature) after a reload: windows of the same
    /// layout, values of the same path, conditions of the same text, and the alerts of rules with the same name
    /// and meaning carry over; the rest start afresh.
    /// </summary>
    public void Adopt(AlertFeed previous)
    {
        Groups = previous.Groups;
        var carried = Rules.Select(r => Array.FindIndex(previous.Rules, p => p.Name == r.Name && p.Signature == r.Signature)).ToArray();
        var windows = Enumerable.Range(0, WindowTicks.Length)
            .Select(i => Enumerable.Range(0, previous.WindowTicks.Length).FirstOrDefault(j => previous.WindowTicks[j] == WindowTicks[i] && previous.WindowBuckets[j] == WindowBuckets[i], -1)).ToArray();
        var values = Values.Select(v => Array.FindIndex(previous.Values, p => p.Path.Text == v.Path.Text)).ToArray();
        var conditions = Conditions.Select(c => Array.FindIndex(previous.Conditions, p => p.Text == c.Text)).ToArray();
        for (var group = Groups.Newest; group is not null; group = group.Older)
        {
            // The group object stays (the table links it); its observations take the new layout.
            var windowsNow = new SlidingWindow[WindowTicks.Length];
            for (var i = 0; i < windowsNow.Length; i++)
            {
                windowsNow[i] = windows[i] >= 0 ? group.Windows[windows[i]] : new SlidingWindow(WindowBuckets[i]);
            }

            var valuesNow = new double[Values.Length];
            for (var i = 0; i < valuesNow.Length; i++)
            {
                valuesNow[i] = values[i] >= 0 ? group.Values[values[i]] : double.NaN;
            }

            var metNow = new bool[Conditions.Length];
            for (var i = 0; i < metNow.Length; i++)
            {
                metNow[i] = conditions[i] >= 0 && group.Met[conditions[i]];
            }

            var alerts = new AlertGroup[Rules.Length];
            for (var i = 0; i < alerts.Length; i++)
            {
                alerts[i] = carried[i] >= 0 ? group.Alerts[carried[i]] : new AlertGroup(group, Fingerprint(Rules[i], group.Key));
                alerts[i].Observed = group;
            }

            group.Feed = this;
            group.Windows = windowsNow;
            group.Values = valuesNow;
            group.Met = metNow;
            group.Alerts = alerts;
            group.Armed = Arm(alerts);
        }
    }

    /// <summary>The armed bits for <paramref name="alerts"/>: rules that fire at once whose alert is inactive.</summary>
    public ulong Arm(AlertGroup[] alerts)
    {
        var armed = 0UL;
        for (var i = 0; i < alerts.Length; i++)
        {
            if (Rules[i].FiresAtOnce && alerts[i].State == AlertState.Inactive)
            {
                armed |= Rules[i].Bit;
            }
        }

        return armed;
    }

    /// <summary>The alert's identity, stable across restarts and nodes: the rule's name and the group key.</summary>
    private static string Fingerprint(CompiledRule rule, byte[] key) =>
        StableHash.Append(StableHash.Hash(Encoding.UTF8.GetBytes(rule.Name)), key).ToString("x16", CultureInfo.InvariantCulture);

    private static int Slot<T>(List<T> slots, T item, Func<T, T, bool> same)
    {
        var slot = slots.FindIndex(s => same(s, item));
        if (slot < 0)
        {
            slot = slots.Count;
            slots.Add(item);
        }

        return slot;
    }
}
