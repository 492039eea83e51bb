using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.PatternMine.Internal;

namespace Pipeline.Blocks.Alerts.Internal;

internal sealed partial class AlertEngine
{
    private const byte Separator = 0x1F;

    /// <summary>Matches every event against every rule and counts it in its group's window. Allocates only for new groups and routed events.</summary>
    public void Process(EventBatch batch)
    {
        var now = _time.GetUtcNow().UtcTicks;
        var events = batch.Events;
        lock (_gate)
        {
            var rules = _rules;
            ReadOnlySpan<byte> robot = default;
            for (var i = 0; i < events.Length; i++)
            {
                ref readonly var e = ref events[i];
                var id = batch[e.RobotId];
                if (!id.IsEmpty && !id.SequenceEqual(robot))
                {
                    // Presence is per robot, not per rule: a batch is one connection, mostly one robot.
                    robot = id;
                    _presence.Seen(StableHash.Hash(id), batch.Source);
                }

                // Rules of one event share the group key (most group by robot_id) and attribute reads.
                _keySignature = null;
                _attributePath = null;
                _attributesRead = false;
                for (var r = 0; r < rules.Length; r++)
                {
                    var rule = rules[r];
                    if (rule.Matches(batch, in e))
                    {
                        Count(rule, r, batch, in e, now);
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

    private void Count(CompiledRule rule, int index, EventBatch batch, ref readonly EventRecord e, long now)
    {
        if (!ReferenceEquals(_keySignature, rule.GroupBySignature))
        {
            _keyLength = GroupKey(rule, batch, in e);
            _keyHash = StableHash.Hash(_key.AsSpan(0, _keyLength));
            _keySignature = rule.GroupBySignature;
        }

        var key = _key.AsSpan(0, _keyLength);
        var hash = _keyHash;
        var group = rule.Groups.Find(hash, key);
        if (group is null)
        {
            group = NewGroup(rule, key, hash);
            rule.Groups.Add(group, out var evicted);
            if (evicted is not null)
            {
                _ruleMetrics[index].Evicted.Inc();
            }
        }
        else if (group.LastSeen / TimeSpan.TicksPerSecond != now / TimeSpan.TicksPerSecond)
        {
            // Recency to the second is enough for eviction, and spares the list a move per event.
            rule.Groups.Touch(group);
        }

        group.LastSeen = now;
        group.LastConnection = batch.Source;
        // An event that puts a group over a rule without For asks for an early evaluation: it fires now, not at the next tick.
        if (rule.Windowed)
        {
            var total = group.Add(now, rule.BucketTicks);
            _wake |= total >= rule.WakeCount && rule.FiresAtOnce && group.State == AlertState.Inactive;
        }

        if (rule.Kind == AlertRuleKind.Attribute && rule.Condition is { } condition)
        {
            Attribute(rule, condition, batch, in e, group);
            _wake |= group.LastMet && rule.FiresAtOnce && group.State == AlertState.Inactive;
        }

        if (group.ExampleAt != now / TimeSpan.TicksPerSecond && e.Line >= 0 && e.Line < batch.LineCount)
        {
            // One copy per group and second is plenty for an example.
            group.ExampleAt = now / TimeSpan.TicksPerSecond;
            group.KeepExample(batch.GetLine(e.Line));
        }
    }

    private void Attribute(CompiledRule rule, AttributeCondition condition, EventBatch batch, ref readonly EventRecord e, AlertGroup group)
    {
        if (!condition.IsNumber)
        {
            var met = condition.Evaluate(batch, in e, out var found, out _);
            if (found)
            {
                group.LastMet = met;
            }

            return;
        }

        if (rule.AttributeSlot >= 0)
        {
            if (!_attributesRead)
            {
                _attributes.Read(batch[e.Attributes]);
                _attributesRead = true;
            }

            if (_attributes.TryGet(rule.AttributeSlot, out var value))
            {
                group.LastValue = value;
                group.LastMet = condition.Meets(value);
            }

            return;
        }

        // Past the reader's 64 paths: one walk per path, the last one cached for the rules after it.
        if (!ReferenceEquals(_attributePath, condition.Path.Text))
        {
            _attributePresent = condition.TryRead(batch, in e, out _attributeValue);
            _attributePath = condition.Path.Text;
        }

        if (_attributePresent)
        {
            group.LastValue = _attributeValue;
            group.LastMet = condition.Meets(_attributeValue);
        }
    }

    /// <summary>The group-by values of <paramref name="e"/>, each followed by a separator, in the engine's scratch buffer; returns the length.</summary>
    private int GroupKey(CompiledRule rule, EventBatch batch, ref readonly EventRecord e)
    {
        Span<byte> scratch = stackalloc byte[EventPath.ScratchBytes];
        var length = 0;
        foreach (var path in rule.GroupBy)
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
    private AlertGroup NewGroup(CompiledRule rule, ReadOnlySpan<byte> key, ulong hash)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var text = new StringBuilder();
        var rest = key;
        foreach (var path in rule.GroupBy)
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

        var robot = Array.FindIndex(rule.GroupBy, p => p.Field == EventField.RobotId);
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

        var fingerprint = Hex(StableHash.Append(StableHash.Hash(Encoding.UTF8.GetBytes(rule.Name)), key));
        return new AlertGroup(key.ToArray(), hash, text.ToString(), labels, fingerprint, rule.BucketCount) { RobotHash = robotHash };
    }

    /// <summary>Seeds absent rules' groups with the fleet registry's robots (once per registry snapshot), so a robot that never spoke is missed too.</summary>
    private void SeedFromRegistry(long now)
    {
        var registry = _registry?.Current;
        if (registry is null || ReferenceEquals(registry, _seededFrom))
        {
            return;
        }

        _seededFrom = registry;
        for (var r = 0; r < _rules.Length; r++)
        {
            var rule = _rules[r];
            if (!rule.LearnsFromRegistry)
            {
                continue;
            }

            foreach (var robot in registry.Robots)
            {
                var match = rule.Options.Match;
                if ((match.Robots.Count > 0 && !match.Robots.Contains(robot.Id)) || (match.Sites.Count > 0 && !match.Sites.Contains(robot.Site)))
                {
                    continue;
                }

                var key = new List<byte>();
                foreach (var path in rule.GroupBy)
                {
                    key.AddRange(path.Field == EventField.Site ? robot.SiteJson : Escape(robot.Id));
                    key.Add(Separator);
                }

                var bytes = key.ToArray();
                var hash = StableHash.Hash(bytes);
                if (rule.Groups.Find(hash, bytes) is null)
                {
                    var group = NewGroup(rule, bytes, hash);
                    group.LastSeen = now; // silent since the engine started
                    rule.Groups.Add(group, out var evicted);
                    if (evicted is not null)
                    {
                        _ruleMetrics[r].Evicted.Inc();
                    }
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
