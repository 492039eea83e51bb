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
    private int[] _ringStarts = [];

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

    /// <summary>The rows of the feed's group-by signature, the feed's place among its feeds, and where its segments are in each row.</summary>
    public GroupIndex Index { get; private set; } = null!; // bound after sealing
    public int Ordinal { get; private set; }
    public int StateOffset { get; private set; }
    public int RingOffset { get; private set; }

    /// <summary>Longs of hot state per group (<see cref="GroupSlots"/>), and of bucket rings.</summary>
    public int StateLength { get; private set; }

    /// <summary>Whether the feed reads attributes (values or string conditions), and where their section starts in a group's segment.</summary>
    public bool ReadsAttributes { get; private set; }
    public int AttributesAt { get; private set; }

    /// <summary>The decided bits of a group that has every value and condition of a batch (<see cref="GroupSlots.Decided"/>).</summary>
    public long AllDecided { get; private set; }
    public int RingLength { get; private set; }

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
        AttributesAt = GroupSlots.Fixed + (GroupSlots.PerWindow * _windows.Count);
        ReadsAttributes = _values.Count + _conditions.Count > 0;
        var used = AttributesAt + (ReadsAttributes ? GroupSlots.AttributeFixed + _values.Count : 0);
        StateLength = (used + GroupSlots.Line - 1) / GroupSlots.Line * GroupSlots.Line;
        AllDecided = (long)(_values.Count + _conditions.Count == 64 ? ulong.MaxValue : (1UL << (_values.Count + _conditions.Count)) - 1);
        _ringStarts = new int[_windows.Count];
        RingLength = 0;
        for (var w = 0; w < _windows.Count; w++)
        {
            _ringStarts[w] = RingLength;
            RingLength += _windows[w].Count;
        }

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

        return Match.Matches(batch, in e) && (Filter is null || Filter.Evaluate(batch, in e, out _, out _));
    }

    /// <summary>Whether an event whose type and level the feed admits (<see cref="FeedIndex"/>) is observed: the rest of the match and the filter.</summary>
    public bool MatchesAdmitted(EventBatch batch, ref readonly EventRecord e) =>
        Match.MatchesAdmitted(batch, in e) && (Filter is null || Filter.Evaluate(batch, in e, out _, out _));

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

    /// <summary>Takes the feed's place in <paramref name="index"/> (<see cref="GroupIndex.Bind"/>).</summary>
    public void Bind(GroupIndex index, int ordinal, int stateOffset, int ringOffset)
    {
        Index = index;
        Ordinal = ordinal;
        StateOffset = stateOffset;
        RingOffset = ringOffset;
    }

    /// <summary>Where window slot <paramref name="slot"/>'s counters and ring, and value slot <paramref name="slot"/>, are in a group's segments.</summary>
    public int WindowAt(int slot) => GroupSlots.Fixed + (GroupSlots.PerWindow * slot);
    public int RingAt(int slot) => _ringStarts[slot];
    public int ValueAt(int slot) => AttributesAt + GroupSlots.AttributeFixed + slot;

    /// <summary>The feed's group of a key, if it has one.</summary>
    public ObservedGroup? Find(ulong hash, ReadOnlySpan<byte> key) => Index.Find(hash, key)?.Groups[Ordinal];

    /// <summary>A group for a key seen for the first time (in its row of this feed's index), with an inactive alert for each rule.</summary>
    public ObservedGroup NewGroup(GroupRow row, string groupKey, Dictionary<string, string> labels, ulong robotHash)
    {
        var group = new ObservedGroup(this, row, row.Base + StateOffset, RingOffset, groupKey, labels) { RobotHash = robotHash };
        group.Alerts = [.. Rules.Select(r => new AlertGroup(group, Fingerprint(r, row.Key)))];
        return group;
    }

    /// <summary>
    /// Adds a new group to the table and its row, its segments fresh (nothing seen, every rule that fires at once
    /// armed); evicts the least recently seen group first when full (returned in <paramref name="evicted"/>).
    /// </summary>
    public void AddGroup(ObservedGroup group, out ObservedGroup? evicted)
    {
        Groups.Add(group, out evicted);
        if (evicted is not null)
        {
            Release(evicted);
        }

        Hold(group);
        group.Armed = AtOnce;
    }

    /// <summary>
    /// Takes over the groups of the feed this one replaces (same signature) after a reload: windows of the same
    /// layout, values of the same path, conditions of the same text, and the alerts of rules with the same name
    /// and meaning carry over; the rest start afresh. Each group moves to its key's row in this feed's index.
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
            // The group object stays (the table links it); its observations move to this feed's layout. The
            // old segments are read through a private copy, as the new row may be the old one's successor.
            group.Detach(previous.StateLength, previous.RingLength);
            var old = (Row: group.Row, group.LastSeen, ExampleAt: group.Row.State[GroupSlots.ExampleAt]);
            var oldGroup = new ObservedGroup(previous, old.Row, 0, 0, group.GroupKey, group.Labels); // a view of the private copy
            var row = Index.GetOrAdd(group.Hash, group.Key);
            row.LastConnection ??= old.Row.LastConnection;
            group.Feed = this;
            group.MoveTo(row, row.Base + StateOffset, RingOffset);
            Hold(group);
            group.LastSeen = old.LastSeen;
            row.State[group.Offset + GroupSlots.ExampleAt] = old.ExampleAt;
            for (var i = 0; i < windows.Length; i++)
            {
                if (windows[i] >= 0)
                {
                    group.Window(i).CopyFrom(oldGroup.Window(windows[i]));
                }
            }

            for (var i = 0; i < values.Length; i++)
            {
                group.SetValue(i, values[i] >= 0 ? oldGroup.Value(values[i]) : double.NaN);
            }

            for (var i = 0; i < conditions.Length; i++)
            {
                group.SetMet(i, conditions[i] >= 0 && oldGroup.Met(conditions[i]));
            }

            var alerts = new AlertGroup[Rules.Length];
            for (var i = 0; i < alerts.Length; i++)
            {
                alerts[i] = carried[i] >= 0 ? group.Alerts[carried[i]] : new AlertGroup(group, Fingerprint(Rules[i], group.Key));
                alerts[i].Observed = group;
            }

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

    /// <summary>Puts the group in its row with fresh segments: nothing seen, no value (NaN), no example.</summary>
    private void Hold(ObservedGroup group)
    {
        var row = group.Row;
        var state = row.State.AsSpan(row.Base + StateOffset, StateLength);
        state.Clear();
        state[GroupSlots.Held] = 1;
        state[GroupSlots.ExampleAt] = -1;
        if (Values.Length > 0)
        {
            state[ValueAt(0)..].Fill(BitConverter.DoubleToInt64Bits(double.NaN));
        }

        row.Rings.AsSpan(RingOffset, RingLength).Clear();
        row.Groups[Ordinal] = group;
        row.Held++;
        group.IsHeld = true;
    }

    /// <summary>Takes an evicted group out of its row (which leaves the index once no feed holds a group there).</summary>
    private void Release(ObservedGroup group)
    {
        var row = group.Row;
        group.Detach(StateLength, RingLength);
        row.State.AsSpan(row.Base + StateOffset, StateLength).Clear();
        row.Groups[Ordinal] = null;
        if (--row.Held == 0)
        {
            Index.Remove(row);
        }
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
