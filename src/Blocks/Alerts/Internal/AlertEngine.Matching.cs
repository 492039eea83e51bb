using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.PatternMine.Internal;

namespace Pipeline.Blocks.Alerts.Internal;

internal sealed partial class AlertEngine
{
    private const byte Separator = 0x1F;

    /// <summary>
    /// Matches every event against the feeds its type and level admit and updates its group there (once for all the feed's rules).
    /// Newest event first: what a group keeps of its events' attributes is the newest value, so for each group only
    /// its newest event of the batch that has an attribute is read for it (a robot's batch: one read, not one per
    /// event). Counts, last seen and wakes do not depend on the order. Allocates only for new groups and routed events.
    /// </summary>
    public void Process(EventBatch batch)
    {
        var now = _time.GetUtcNow().UtcTicks;
        var events = batch.Events;
        lock (_gate)
        {
            var index = _feedIndex;
            ReadOnlySpan<byte> robot = default;
            var transport = batch.Source.IsTransport;
            _batchStamp++;
            for (var i = events.Length - 1; i >= 0; i--)
            {
                ref readonly var e = ref events[i];
                var id = batch[e.RobotId];
                if (transport && !id.IsEmpty && !id.SequenceEqual(robot))
                {
                    // Presence is per robot, not per rule: a batch is one connection, mostly one robot.
                    robot = id;
                    _presence.Seen(StableHash.Hash(id), batch.Source);
                }

                // Feeds of one event share the key's row (most group by robot_id) and attribute reads.
                _rowIndex = null;
                _attributePath = null;
                _attributesRead = false;
                var feeds = index.Candidates(batch[e.Type], e.Level, out var admitted);
                for (var f = 0; f < feeds.Length; f++)
                {
                    var feed = feeds[f];
                    if (admitted ? feed.MatchesAdmitted(batch, in e) : feed.Matches(batch, in e))
                    {
                        Observe(feed, batch, in e, now);
                    }
                }
            }
        }

        if (_routesNotify)
        {
            for (var i = 0; i < events.Length; i++)
            {
                NotifyRoutes(batch, in events[i]);
            }
        }
    }

    /// <summary>Whether an event put a group over a rule that fires at once since the last call (then an early evaluation is worth it).</summary>
    public bool TakeWake()
    {
        var wake = _wake;
        _wake = false;
        return wake;
    }

    private void Observe(AlertFeed feed, EventBatch batch, ref readonly EventRecord e, long now)
    {
        if (!ReferenceEquals(_rowIndex, feed.Index))
        {
            var key = _key.AsSpan(0, GroupKey(feed.GroupBy, batch, in e));
            var hash = StableHash.Hash(key);
            _row = feed.Index.Find(hash, key) ?? feed.Index.Add(hash, key);
            _rowIndex = feed.Index;
        }

        // Everything below reads and writes the feed's segment of the row; the group object only once a second
        // (recency, example) or when the event wakes it.
        var row = _row!;
        var state = row.State;
        var at = row.Base + feed.StateOffset;
        var second = now / TimeSpan.TicksPerSecond;
        ObservedGroup? group = null;
        if (state[at + GroupSlots.Held] == 0)
        {
            group = NewGroup(feed, row);
            Add(feed, group);
        }
        else if (state[at + GroupSlots.LastSeen] / TimeSpan.TicksPerSecond != second)
        {
            // Recency to the second is enough for eviction, and spares the list a move per event.
            group = row.Groups[feed.Ordinal]!;
            feed.Groups.Touch(group);
        }

        state[at + GroupSlots.LastSeen] = now;
        if (!ReferenceEquals(row.LastConnection, batch.Source) && batch.Source.IsTransport)
        {
            // A reference write costs a GC write barrier; most events come on the same connection. Internal
            // events (a robot's connection_closed, its anomalies) say nothing about whether it is connected.
            row.LastConnection = batch.Source;
        }

        // An event that puts a group over a rule without For asks for an early evaluation: it fires now, not at the next tick.
        var armed = (ulong)state[at + GroupSlots.Armed];
        var windowTicks = feed.WindowTicks;
        for (var w = 0; w < windowTicks.Length; w++)
        {
            var window = new SlidingWindow(state, at + feed.WindowAt(w), row.Rings, feed.RingOffset + feed.RingAt(w), feed.WindowBuckets[w]);
            var total = window.Add(now, windowTicks[w]);
            if ((armed & feed.WindowWake[w]) != 0 && feed.WakesAt(w, total, armed))
            {
                Wake(group ??= row.Groups[feed.Ordinal]!);
            }
        }

        if (feed.ReadsAttributes && ReadAttributes(feed, batch, in e, state, at + feed.AttributesAt, armed))
        {
            Wake(group ??= row.Groups[feed.Ordinal]!);
        }

        if (state[at + GroupSlots.ExampleAt] != second && e.Line >= 0 && e.Line < batch.LineCount)
        {
            // One copy per group and second is plenty for an example.
            state[at + GroupSlots.ExampleAt] = second;
            (group ?? row.Groups[feed.Ordinal]!).KeepExample(batch.GetLine(e.Line));
        }
    }

    /// <summary>
    /// The feed's numeric attribute paths and string conditions of the event into the group's attribute section at
    /// <paramref name="at"/>, those an event of the batch has not given yet (one walk of the attributes per event
    /// for all feeds, none when every slot is decided); whether one met an armed rule (an early evaluation is worth it).
    /// </summary>
    private bool ReadAttributes(AlertFeed feed, EventBatch batch, ref readonly EventRecord e, long[] state, int at, ulong armed)
    {
        ref var decided = ref state[at + GroupSlots.Decided];
        ref var decidedIn = ref state[at + GroupSlots.DecidedIn];
        if (decidedIn != _batchStamp)
        {
            decidedIn = _batchStamp;
            decided = 0;
        }
        else if (decided == feed.AllDecided)
        {
            return false; // a newer event of the batch gave them all
        }

        var wake = false;
        var values = feed.Values;
        for (var v = 0; v < values.Length; v++)
        {
            if ((decided & (1L << v)) != 0)
            {
                continue;
            }

            double value;
            var slot = feed.ValueReaderSlots[v];
            if (slot >= 0)
            {
                if (!_attributesRead)
                {
                    _attributes.Read(batch[e.Attributes]);
                    _attributesRead = true;
                }

                if (!_attributes.TryGet(slot, out value))
                {
                    continue;
                }
            }
            else
            {
                // Past the reader's 64 paths, or not an attribute: one read per path, the last one cached for the feeds after it.
                var condition = values[v];
                if (!ReferenceEquals(_attributePath, condition.Path.Text))
                {
                    _attributePresent = condition.TryRead(batch, in e, out _attributeValue);
                    _attributePath = condition.Path.Text;
                }

                if (!_attributePresent)
                {
                    continue;
                }

                value = _attributeValue;
            }

            decided |= 1L << v;
            state[at + GroupSlots.AttributeFixed + v] = BitConverter.DoubleToInt64Bits(value);
            wake |= (armed & feed.ValueWake[v]) != 0 && feed.WakesOn(v, value, armed);
        }

        var conditions = feed.Conditions;
        for (var c = 0; c < conditions.Length; c++)
        {
            var bit = 1L << (values.Length + c);
            if ((decided & bit) != 0)
            {
                continue;
            }

            var met = conditions[c].Evaluate(batch, in e, out var found, out _);
            if (found)
            {
                decided |= bit;
                ref var bits = ref state[at + GroupSlots.Met];
                bits = met ? bits | (1L << c) : bits & ~(1L << c);
                wake |= met && (armed & feed.ConditionWake[c]) != 0;
            }
        }

        return wake;
    }

    /// <summary>Puts the group on the list of the next early evaluation (once), which only steps listed groups.</summary>
    private void Wake(ObservedGroup group)
    {
        _wake = true;
        if (!group.Woken)
        {
            group.Woken = true;
            _woken.Add(group);
        }
    }

    /// <summary>Adds a new group to its feed (fresh: what it saw is the caller's to write after); an eviction counts for every rule of the feed.</summary>
    private void Add(AlertFeed feed, ObservedGroup group)
    {
        feed.AddGroup(group, out var evicted);
        if (evicted is not null)
        {
            foreach (var rule in feed.Rules)
            {
                _ruleMetrics[rule.Index].Evicted.Inc();
            }

            if (Array.Exists(evicted.Alerts, a => a.IsActive))
            {
                RequireSnapshot(); // its alerts leave the state without a line in the journal
            }
        }
    }

    /// <summary>The group-by values of <paramref name="e"/>, each followed by a separator, in the engine's scratch buffer; returns the length.</summary>
    private int GroupKey(EventPath[] groupBy, EventBatch batch, ref readonly EventRecord e)
    {
        Span<byte> scratch = stackalloc byte[EventPath.ScratchBytes];
        var length = 0;
        foreach (var path in groupBy)
        {
            if (!path.TryGet(batch, in e, scratch, out var value, out _))
            {
                value = default;
            }

            if (length + value.Length + 1 > _key.Length)
            {
                Array.Resize(ref _key, Math.Max(_key.Length * 2, length + value.Length + 1));
            }

            value.CopyTo(_key.AsSpan(length));
            length += value.Length;
            _key[length++] = Separator;
        }

        return length;
    }

    /// <summary>A group for a key seen for the first time by the feed: the one place (besides new keys and routing) where matching allocates.</summary>
    private static ObservedGroup NewGroup(AlertFeed feed, GroupRow row)
    {
        var key = row.Key.AsSpan();
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var text = new StringBuilder();
        var rest = key;
        foreach (var path in feed.GroupBy)
        {
            var end = rest.IndexOf(Separator);
            var value = Unescape(rest[..end]);
            rest = rest[(end + 1)..];
            labels[path.Text] = value;
            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(path.Text).Append('=').Append(value);
        }

        var robot = Array.FindIndex(feed.GroupBy, p => p.Field == EventField.RobotId);
        var robotHash = 0UL;
        if (robot >= 0)
        {
            var segment = key;
            for (var i = 0; i < robot; i++)
            {
                segment = segment[(segment.IndexOf(Separator) + 1)..];
            }

            segment = segment[..segment.IndexOf(Separator)];
            robotHash = segment.IsEmpty ? 0 : StableHash.Hash(segment);
        }

        return feed.NewGroup(row, text.ToString(), labels, robotHash);
    }

    /// <summary>Seeds the groups of feeds with absent rules with the fleet registry's robots (once per registry snapshot), so a robot that never spoke is missed too.</summary>
    private void SeedFromRegistry(long now)
    {
        var registry = _registry?.Current;
        if (registry is null || ReferenceEquals(registry, _seededFrom))
        {
            return;
        }

        _seededFrom = registry;
        foreach (var feed in _feeds)
        {
            if (!feed.LearnsFromRegistry)
            {
                continue;
            }

            var match = feed.Rules[0].Options.Match; // one match per feed
            foreach (var robot in registry.Robots)
            {
                if ((match.Robots.Count > 0 && !match.Robots.Contains(robot.Id)) || (match.Sites.Count > 0 && !match.Sites.Contains(robot.Site)))
                {
                    continue;
                }

                var key = new List<byte>();
                foreach (var path in feed.GroupBy)
                {
                    key.AddRange(path.Field == EventField.Site ? robot.SiteJson : Escape(robot.Id));
                    key.Add(Separator);
                }

                var bytes = key.ToArray();
                var hash = StableHash.Hash(bytes);
                if (feed.Find(hash, bytes) is null)
                {
                    var group = NewGroup(feed, feed.Index.GetOrAdd(hash, bytes));
                    Add(feed, group);
                    group.LastSeen = now; // silent since the engine started
                }
            }
        }
    }

    private static byte[] Escape(string value) =>
        JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes.ToArray();

    private static string Unescape(ReadOnlySpan<byte> escaped)
    {
        if (escaped.IndexOf((byte)'\\') < 0)
        {
            return Encoding.UTF8.GetString(escaped);
        }

        var buffer = new byte[escaped.Length];
        return Encoding.UTF8.GetString(JsonUnescaper.Unescape(escaped, ref buffer));
    }
}
