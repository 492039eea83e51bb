using Pipeline.Blocks.Events;

namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>
/// One group of a feed: what the traffic said of it (last seen, windows, attribute values, an example) and the
/// alert of every rule that observes through the feed. Allocated once, when the group is first seen; every later
/// event updates fields only, once for all the feed's rules. Guarded by the engine's lock.
/// </summary>
internal sealed class ObservedGroup
{
    /// <summary>The last event's line kept for examples, at most this many bytes (copied, not allocated, per event).</summary>
    public const int ExampleBytes = 512;

    public ObservedGroup(AlertFeed feed, byte[] key, ulong hash, string groupKey, Dictionary<string, string> labels, int[] windowBuckets, int values, int conditions)
    {
        Feed = feed;
        Key = key;
        Hash = hash;
        GroupKey = groupKey;
        Labels = labels;
        Windows = new SlidingWindow[windowBuckets.Length];
        for (var i = 0; i < windowBuckets.Length; i++)
        {
            Windows[i] = new SlidingWindow(windowBuckets[i]);
        }

        Values = new double[values];
        Array.Fill(Values, double.NaN);
        Met = new bool[conditions];
    }

    /// <summary>The feed whose table holds the group (a reload hands the group to the feed that adopts the table).</summary>
    public AlertFeed Feed { get; set; }

    public byte[] Key { get; }
    public ulong Hash { get; }
    public string GroupKey { get; }
    public Dictionary<string, string> Labels { get; }

    // Table links: same-hash chain and the least-recently-seen list.
    public ObservedGroup? NextSameHash;
    public ObservedGroup? Newer;
    public ObservedGroup? Older;

    /// <summary>Last matching event, UTC ticks of the engine's clock (absent rules, eviction, idle skipping).</summary>
    public long LastSeen;

    /// <summary>The connection of the group's last event: presence (offline when closed).</summary>
    public SourceConnection? LastConnection;

    /// <summary>The hash of the group's <c>robot_id</c> when the feed groups by it, else 0: presence across reconnects.</summary>
    public ulong RobotHash { get; init; }

    /// <summary>One window per bucket layout of the feed's windowed rules.</summary>
    public SlidingWindow[] Windows;

    /// <summary>The last value read of each numeric attribute path of the feed's attribute rules (NaN: not seen yet).</summary>
    public double[] Values;

    /// <summary>Whether the last event that had the attribute met each non-numeric condition of the feed's attribute rules.</summary>
    public bool[] Met;

    /// <summary>The alert of each of the feed's rules, by the rule's <see cref="CompiledRule.FeedIndex"/>.</summary>
    public AlertGroup[] Alerts = [];

    /// <summary>Bit k: the feed's rule k fires at once and its alert here is inactive, so an event putting it over asks for an early evaluation.</summary>
    public ulong Armed;

    /// <summary>In the engine's list of groups for the next early evaluation.</summary>
    public bool Woken;

    public byte[] Example = new byte[ExampleBytes];
    public int ExampleLength;

    /// <summary>The second (engine clock) the example was taken in.</summary>
    public long ExampleAt = -1;

    /// <summary>Whether any rule's alert is pending, firing or offline here (such groups are evicted last).</summary>
    public bool IsActive
    {
        get
        {
            foreach (var alert in Alerts)
            {
                if (alert.IsActive)
                {
                    return true;
                }
            }

            return false;
        }
    }

    public void KeepExample(ReadOnlySpan<byte> line)
    {
        var length = Math.Min(line.Length, ExampleBytes);
        line[..length].CopyTo(Example);
        ExampleLength = length;
    }
}
