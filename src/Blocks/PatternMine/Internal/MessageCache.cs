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
    private readonly int[] _versions;
    private readonly ulong[] _hashes;
    private readonly PatternTemplate?[] _templates;
    private readonly ulong[] _seen;
    private readonly int _mask;

    public MessageCache(int capacity)
    {
        var size = 1;
        while (size < capacity)
        {
            size <<= 1;
        }

        _versions = new int[size];
        _hashes = new ulong[size];
        _templates = new PatternTemplate?[size];
        _seen = new ulong[size];
        _mask = size - 1;
    }

    public PatternTemplate? Get(ulong hash)
    {
        var i = (int)hash & _mask;
        var before = Volatile.Read(ref _versions[i]);
        if ((before & 1) != 0 || Volatile.Read(ref _hashes[i]) != hash)
        {
            return null;
        }

        var template = Volatile.Read(ref _templates[i]);
        if (Volatile.Read(ref _versions[i]) != before || template is null)
        {
            return null;
        }

        return template.Evicted || template.MergedInto is not null ? null : template;
    }

    /// <summary>Remembers <paramref name="template"/> for the message if the slot saw the same message before.</summary>
    public void Offer(ulong hash, PatternTemplate template)
    {
        var i = (int)hash & _mask;
        if (Volatile.Read(ref _seen[i]) != hash)
        {
            // The first sighting: remember the hash only (a 64-bit write is atomic; a race just loses a hint).
            Volatile.Write(ref _seen[i], hash);
            return;
        }

        var version = Volatile.Read(ref _versions[i]);
        if ((version & 1) != 0 || Interlocked.CompareExchange(ref _versions[i], version + 1, version) != version)
        {
            return; // another thread is writing this slot: skip, the cache is lossy
        }

        _hashes[i] = hash;
        _templates[i] = template;
        Volatile.Write(ref _versions[i], version + 2);
    }
}
