namespace Pipeline.Blocks.PatternMine.Internal;

/// <summary>
/// A lossy, direct-mapped cache from a message's masked shape (the hash of its masked tokens) to the
/// template that covers it, so that the common case (a shape seen before) skips the template scan.
/// Entries are immutable objects swapped by reference, so readers need no lock; a collision simply
/// overwrites (the cache is bounded by construction). A hit is trusted only while its template is
/// still kept and not merged away.
/// </summary>
internal sealed class ShapeCache
{
    private readonly Entry?[] _entries;
    private readonly int _mask;

    public ShapeCache(int capacity)
    {
        var size = 1;
        while (size < capacity)
        {
            size <<= 1;
        }

        _entries = new Entry?[size];
        _mask = size - 1;
    }

    public PatternTemplate? Get(ulong shape)
    {
        var entry = Volatile.Read(ref _entries[(int)shape & _mask]);
        if (entry is null || entry.Shape != shape)
        {
            return null;
        }

        var template = entry.Template;
        return template.Evicted || template.MergedInto is not null ? null : template;
    }

    public void Set(ulong shape, PatternTemplate template) =>
        Volatile.Write(ref _entries[(int)shape & _mask], new Entry(shape, template));

    private sealed record Entry(ulong Shape, PatternTemplate Template);
}
