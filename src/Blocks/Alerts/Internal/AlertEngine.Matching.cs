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
    /// Allocates only for new groups and routed events.
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
            for (var i = 0; i < events.Length; i++)
            {
                ref readonly var e = ref events[i];
                var id = batch[e.RobotId];
                if (transport && !id.IsEmpty && !id.SequenceEqual(robot))
                {
                    // Presence is per robot, not per rule: a batch is one connection, mostly one robot.
                    robot = id;
                    _presence.Seen(StableHash.Hash(id), batch.Source);
                }

                // Feeds of one event share the group key (most group by robot_id) and attribute reads.
                _keySignature = null;
                _attributePath = null;
                _attributesRead = false;
                var feeds = index.Candidates(batch[e.Type], e.Level);
                for (var f = 0; f < feeds.Length; f++)
                {
                    var feed = feeds[f];
                    if (feed.Matches(batch, in e))
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
        if (!ReferenceEquals(_keySignature, feed.GroupBySignature))
        {
            _keyLength = GroupKey(feed.GroupBy, batch, in e);
            _keyHash = StableHash.Hash(_key.AsSpan(0, _keyLength));
            _keySignature = feed.GroupBySignature;
        }

        var key = _key.AsSpan(0, _keyLength);
        var hash = _keyHash;
        var group = feed.Groups.Find(hash, key);
        if (group is null)
        {
            group = NewGroup(feed, key, hash);
            Add(feed, group);
        }
        else if (group.LastSeen / TimeSpan.TicksPerSecond != now / TimeSpan.TicksPerSecond)
        {
            // Recency to the second is enough for eviction, and spares the list a move per event.
            feed.Groups.Touch(group);
        }

        group.LastSeen = now;
        if (!ReferenceEquals(group.LastConnection, batch.Source) && batch.Source.IsTransport)
        {
            // A reference write costs a GC write barrier; most events come on the same connection. Internal
            // events (a robot's connection_closed, its anomalies) say nothing about whether it is connected.
            group.LastConnection = batch.Source;
        }

        // An event that puts a group over a rule without For asks for an early evaluation: it fires now, not at the next tick.
        var windows = group.Windows;
        for (var w = 0; w < windows.Length; w++)
        {
            var total = windows[w].Add(now, feed.WindowTicks[w]);
            if ((group.Armed & feed.WindowWake[w]) != 0 && feed.WakesAt(w, total, group.Armed))
            {
                Wake(group);
            }
        }

        if (feed.Values.Length > 0)
        {
            ReadValues(feed, batch, in e, group);
        }

        var conditions = feed.Conditions;
        for (var c = 0; c < conditions.Length; c++)
        {
            var met = conditions[c].Evaluate(batch, in e, out var found, out _);
            if (found)
            {
                group.Met[c] = met;
                if (met && (group.Armed & feed.ConditionWake[c]) != 0)
                {
                    Wake(group);
                }
            }
        }

        if (group.ExampleAt != now / TimeSpan.TicksPerSecond && e.Line >= 0 && e.Line < batch.LineCount)
        {
            // One copy per group and second is plenty for an example.
            group.ExampleAt = now / TimeSpan.TicksPerSecond;
            group.KeepExample(batch.GetLine(e.Line));
        }
    }

    /// <summary>The feed's numeric attribute paths of the event into the group's value slots (one walk of the attributes per event for all feeds).</summary>
    private void ReadValues(AlertFeed feed, EventBatch batch, ref readonly EventRecord e, ObservedGroup group)
    {
        var values = feed.Values;
        for (var v = 0; v < values.Length; v++)
        {
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

            group.Values[v] = value;
            if ((group.Armed & feed.ValueWake[v]) != 0 && feed.WakesOn(v, value, group.Armed))
            {
                Wake(group);
            }
        }
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

    /// <summary>Adds a new group to its feed; an eviction counts for every rule of the feed.</summary>
    private void Add(AlertFeed feed, ObservedGroup group)
    {
        feed.Groups.Add(group, out var evicted);
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

    /// <summary>A group for a key seen for the first time: the one place (besides routing) where matching allocates.</summary>
    private static ObservedGroup NewGroup(AlertFeed feed, ReadOnlySpan<byte> key, ulong hash)
    {
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

        return feed.NewGroup(key.ToArray(), hash, text.ToString(), labels, robotHash);
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
                if (feed.Groups.Find(hash, bytes) is null)
                {
                    var group = NewGroup(feed, bytes, hash);
                    group.LastSeen = now; // silent since the engine started
                    Add(feed, group);
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
