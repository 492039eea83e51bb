using System.Runtime.InteropServices;
using Pipeline.Blocks.Events;

namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>
/// One group key of a group-by signature, shared by every feed that groups that way: the hot state of each
/// feed's group for the key side by side in one array (<see cref="GroupSlots"/>: what an event updates), the
/// windows' bucket rings in another, and the feeds' groups themselves (what the tick and the API read). An event
/// finds its row once for all of its feeds and updates a few longs in one place, instead of a lookup and several
/// objects per feed: a fleet's working set stays small enough for the cache. The state of an index's rows is
/// allocated where the GC never moves it (the pinned object heap) and used from its first cache-line boundary
/// (<see cref="Base"/>), so a feed's segment, whole lines long, is read with as few lines as it has.
/// </summary>
internal sealed class GroupRow
{
    /// <param name="aligned">Whether <see cref="State"/> is pinned and used from a cache-line boundary (an index's rows), or a plain array (an evicted group's copy, tests).</param>
    public GroupRow(byte[] key, ulong hash, int stateLength, int ringLength, int feeds, bool aligned = false)
    {
        Key = key;
        Hash = hash;
        if (aligned)
        {
            State = GC.AllocateArray<long>(stateLength + GroupSlots.Line - 1, pinned: true);
            Base = LineOffset(State);
        }
        else
        {
            State = new long[stateLength];
        }

        Rings = new long[ringLength];
        Groups = new ObservedGroup?[feeds];
    }

    public byte[] Key { get; }
    public ulong Hash { get; }

    /// <summary>Each feed's segment at <see cref="Base"/> + its <see cref="AlertFeed.StateOffset"/>.</summary>
    public long[] State { get; }

    /// <summary>The first element of <see cref="State"/> on a cache-line boundary (0 when not aligned).</summary>
    public int Base { get; }

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

    /// <summary>How many longs from the start of a pinned array its first 64-byte boundary is.</summary>
    private static int LineOffset(long[] pinned)
    {
        var handle = GCHandle.Alloc(pinned, GCHandleType.Pinned); // on the pinned heap: the address stays
        try
        {
            var address = handle.AddrOfPinnedObject();
            var bytes = GroupSlots.Line * sizeof(long);
            return (int)((bytes - (address % bytes)) % bytes) / sizeof(long);
        }
        finally
        {
            handle.Free();
        }
    }
}
