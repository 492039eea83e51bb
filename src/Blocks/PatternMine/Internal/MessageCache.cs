namespace Pipeline.Blocks.PatternMine.Internal;

/// <summary>
/// A lossy, direct-mapped cache from a message's exact bytes (their 64-bit hash) to its template, so
/// that a message repeated word for word (<c>heartbeat ok</c>, <c>Battery level 80 percent</c>: the
/// bulk of a fleet's logs) skips tokenising and masking. Only a message seen twice while its slot held
/// it is stored, so a stream of unique messages costs one hash and one plain write each, never a
/// store. Allocates nothing: the slots are parallel arrays guarded by a per-slot sequence number (a
/// seqlock), so readers take no lock and never see a hash paired with another message's template.
/// A hit is trusted only while its template is still kept and not merged away. Two different messages
/// with the same 64-bit hash would share a template; at 2^-64 per lookup, that is accepted.
/// </summary>
internal sealed class MessageCache
{
    private readonly Slot[] _slots;
    private readonly int _mask;

    public MessageCache(int capacity)
    {
        var size = 1;
        while (size < capacity)
        {
            size <<= 1;
        }

        _slots = new Slot[size];
        _mask = size - 1;
    }

    public PatternTemplate? Get(ulong hash)
    {
        ref var slot = ref _slots[(int)hash & _mask];
        var before = Volatile.Read(ref slot.Version);
        if ((before & 1) != 0 || Volatile.Read(ref slot.Hash) != hash)
        {
            return null;
        }

        var template = Volatile.Read(ref slot.Template);
        if (Volatile.Read(ref slot.Version) != before || template is null)
        {
            return null;
        }

        return template.Evicted || template.MergedInto is not null ? null : template;
    }

    /// <summary>Remembers <paramref name="template"/> for the message if the slot saw the same message before.</summary>
    public void Offer(ulong hash, PatternTemplate template)
    {
        ref var slot = ref _slots[(int)hash & _mask];
        if (Volatile.Read(ref slot.Seen) != hash)
        {
            // The first sighting: remember the hash only (a 64-bit write is atomic; a race just loses a hint).
            Volatile.Write(ref slot.Seen, hash);
            return;
        }

        var version = Volatile.Read(ref slot.Version);
        if ((version & 1) != 0 || Interlocked.CompareExchange(ref slot.Version, version + 1, version) != version)
        {
            return; // another thread is writing this slot: skip, the cache is lossy
        }

        slot.Hash = hash;
        slot.Template = template;
        Volatile.Write(ref slot.Version, version + 2);
    }

    /// <summary>One slot: 32 bytes, so a lookup touches one cache line.</summary>
    private struct Slot
    {
        public int Version;
        public ulong Hash;
        public ulong Seen;
        public PatternTemplate? Template;
    }
}
