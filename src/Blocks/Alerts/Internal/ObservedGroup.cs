using Pipeline.Blocks.Events;

namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>
/// One group of a feed: what the traffic said of it (last seen, windows, attribute values, an example) and the
/// alert of every rule that observes through the feed. Allocated once, when the group is first seen. What every
/// event updates lives in the feed's segment of the key's <see cref="GroupRow"/> (<see cref="GroupSlots"/>), beside
/// the other feeds' groups of the key; this object holds the rest and reads the segment through the accessors
/// below (the tick, the API, the state file). Guarded by the engine's lock.
/// </summary>
internal sealed class ObservedGroup
{
    /// <summary>The last event's line kept for examples, at most this many bytes (copied, not allocated, per event).</summary>
    public const int ExampleBytes = 512;

    public ObservedGroup(AlertFeed feed, GroupRow row, int offset, int ringOffset, string groupKey, Dictionary<string, string> labels)
    {
        Feed = feed;
        Row = row;
        Offset = offset;
        RingOffset = ringOffset;
        GroupKey = groupKey;
        Labels = labels;
    }

    /// <summary>The feed whose table holds the group (a reload hands the group to the feed that adopts the table).</summary>
    public AlertFeed Feed { get; set; }

    /// <summary>The row of the group's key, and where the feed's segment and rings are in it (an evicted group keeps a private copy).</summary>
    public GroupRow Row { get; private set; }
    public int Offset { get; private set; }
    public int RingOffset { get; private set; }

    public byte[] Key => Row.Key;
    public ulong Hash => Row.Hash;
    public string GroupKey { get; }
    public Dictionary<string, string> Labels { get; }

    // Table links: the least-recently-seen list.
    public ObservedGroup? Newer;
    public ObservedGroup? Older;

    /// <summary>Whether the group's feed holds it in its row (false once evicted).</summary>
    public bool IsHeld { get; set; }

    /// <summary>Last matching event, UTC ticks of the engine's clock (absent rules, eviction, idle skipping).</summary>
    public long LastSeen
    {
        get => Row.State[Offset + GroupSlots.LastSeen];
        set => Row.State[Offset + GroupSlots.LastSeen] = value;
    }

    /// <summary>The connection of the key's last event: presence (offline when closed).</summary>
    public SourceConnection? LastConnection
    {
        get => Row.LastConnection;
        set => Row.LastConnection = value;
    }

    /// <summary>The hash of the group's <c>robot_id</c> when the feed groups by it, else 0: presence across reconnects.</summary>
    public ulong RobotHash { get; init; }

    /// <summary>Bit k: the feed's rule k fires at once and its alert here is inactive, so an event putting it over asks for an early evaluation.</summary>
    public ulong Armed
    {
        get => (ulong)Row.State[Offset + GroupSlots.Armed];
        set => Row.State[Offset + GroupSlots.Armed] = (long)value;
    }

    /// <summary>The alert of each of the feed's rules, by the rule's <see cref="CompiledRule.FeedIndex"/>.</summary>
    public AlertGroup[] Alerts = [];

    /// <summary>In the engine's list of groups for the next early evaluation.</summary>
    public bool Woken;

    /// <summary>The example line's bytes (allocated at the first example).</summary>
    public byte[]? Example { get; private set; }
    public int ExampleLength { get; private set; }

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

    /// <summary>The window of slot <paramref name="slot"/> of the feed's layout.</summary>
    public SlidingWindow Window(int slot) =>
        new(Row.State, Offset + Feed.WindowAt(slot), Row.Rings, RingOffset + Feed.RingAt(slot), Feed.WindowBuckets[slot]);

    /// <summary>The last value read of numeric attribute path <paramref name="slot"/> (NaN: not seen yet).</summary>
    public double Value(int slot) => BitConverter.Int64BitsToDouble(Row.State[Offset + Feed.ValueAt(slot)]);

    public void SetValue(int slot, double value) => Row.State[Offset + Feed.ValueAt(slot)] = BitConverter.DoubleToInt64Bits(value);

    /// <summary>Whether the last event that had the attribute met string condition <paramref name="slot"/>.</summary>
    public bool Met(int slot) => (Row.State[Offset + Feed.AttributesAt + GroupSlots.Met] & (1L << slot)) != 0;

    public void SetMet(int slot, bool met)
    {
        ref var bits = ref Row.State[Offset + Feed.AttributesAt + GroupSlots.Met];
        bits = met ? bits | (1L << slot) : bits & ~(1L << slot);
    }

    /// <summary>Copies the line (up to <see cref="ExampleBytes"/>) as the group's example.</summary>
    public void KeepExample(ReadOnlySpan<byte> line)
    {
        var length = Math.Min(line.Length, ExampleBytes);
        Example ??= new byte[ExampleBytes];
        line[..length].CopyTo(Example);
        ExampleLength = length;
    }

    /// <summary>Moves the group to <paramref name="row"/> at its (new) feed's segments; what the segment holds is the caller's to fill.</summary>
    public void MoveTo(GroupRow row, int offset, int ringOffset)
    {
        Row = row;
        Offset = offset;
        RingOffset = ringOffset;
    }

    /// <summary>
    /// Gives the group a private copy of its segments before its feed lets go of them (eviction): whoever still
    /// holds the group (an alert on its way to the state file) reads what it had, not the next key's counts.
    /// </summary>
    public void Detach(int stateLength, int ringLength)
    {
        var own = new GroupRow(Row.Key, Row.Hash, stateLength, ringLength, 1) { LastConnection = Row.LastConnection };
        Array.Copy(Row.State, Offset, own.State, 0, stateLength);
        Array.Copy(Row.Rings, RingOffset, own.Rings, 0, ringLength);
        MoveTo(own, 0, 0);
        IsHeld = false;
    }
}
