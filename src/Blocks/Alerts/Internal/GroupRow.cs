using Pipeline.Blocks.Events;

namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>
/// One group key of a group-by signature, shared by every feed that groups that way: the hot state of each
/// feed's group for the key side by side in one array (<see cref="GroupSlots"/>: what an event updates), the
/// windows' bucket rings in another, and the feeds' groups themselves (what the tick and the API read). An event
/// finds its row once for all of its feeds and updates a few longs in one place, instead of a lookup and several
/// objects per feed: a fleet's working set stays small enough for the cache.
/// </summary>
internal sealed class GroupRow
{
    public GroupRow(byte[] key, ulong hash, int stateLength, int ringLength, int feeds)
    {
        Key = key;
        Hash = hash;
        State = new long[stateLength];
        Rings = new long[ringLength];
        Groups = new ObservedGroup?[feeds];
    }

    public byte[] Key { get; }
    public ulong Hash { get; }

    /// <summary>Each feed's segment at its <see cref="AlertFeed.StateOffset"/>.</summary>
    public long[] State { get; }

    /// <summary>Each feed's bucket rings at its <see cref="AlertFeed.RingOffset"/>.</summary>
    public long[] Rings { get; }

    /// <summary>The group of each feed of the signature, by <see cref="AlertFeed.Ordinal"/> (null: none for this key).</summary>
    public ObservedGroup?[] Groups { get; }

    /// <summary>How many feeds hold a group here: the row leaves its index at 0.</summary>
    public int Held;

    /// <summary>The same-hash chain of the index.</summary>
    public GroupRow? NextSameHash;

    /// <summary>The connection of the last event any feed observed for the key: presence (offline when closed).</summary>
    public SourceConnection? LastConnection;
}
