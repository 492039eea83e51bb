namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>
/// The rows of one group-by signature by key: an array of chains indexed by the key hash's low bits (one random
/// memory access per lookup before the row itself; a lookup never allocates; the array doubles while rows are
/// added). Every feed of the signature has its segment in each row (<see cref="AlertFeed.Bind"/>).
/// </summary>
internal sealed class GroupIndex
{
    private GroupRow?[] _chains = new GroupRow?[16];

    public GroupIndex(string signature)
    {
        Signature = signature;
    }

    public string Signature { get; }

    /// <summary>Longs of hot state and of rings per row, and feeds per row: fixed once the feeds are bound.</summary>
    public int StateLength { get; private set; }
    public int RingLength { get; private set; }
    public int Feeds { get; private set; }

    public int Count { get; private set; }

    /// <summary>Gives <paramref name="feed"/> its ordinal and segments; before the first row is added.</summary>
    public void Bind(AlertFeed feed)
    {
        if (Count > 0)
        {
            throw new InvalidOperationException("Feeds are bound to an index before it holds rows.");
        }

        feed.Bind(this, Feeds++, StateLength, RingLength);
        StateLength += feed.StateLength;
        RingLength += feed.RingLength;
    }

    public GroupRow? Find(ulong hash, ReadOnlySpan<byte> key)
    {
        for (var row = _chains[(int)hash & (_chains.Length - 1)]; row is not null; row = row.NextSameHash)
        {
            if (row.Hash == hash && key.SequenceEqual(row.Key))
            {
                return row;
            }
        }

        return null;
    }

    /// <summary>A new row for a key not in the index (the key copied: the one allocation of a new key, with the row).</summary>
    public GroupRow Add(ulong hash, ReadOnlySpan<byte> key) => Add(hash, key.ToArray());

    /// <summary>The row of <paramref name="key"/>, added (sharing the array) when missing.</summary>
    public GroupRow GetOrAdd(ulong hash, byte[] key) => Find(hash, key) ?? Add(hash, key);

    public void Remove(GroupRow row)
    {
        ref var link = ref _chains[(int)row.Hash & (_chains.Length - 1)];
        while (link is not null && !ReferenceEquals(link, row))
        {
            link = ref link.NextSameHash;
        }

        if (link is not null)
        {
            link = row.NextSameHash;
            Count--;
        }

        row.NextSameHash = null;
    }

    private GroupRow Add(ulong hash, byte[] key)
    {
        if (Count >= _chains.Length / 2)
        {
            Grow();
        }

        // The key, the row and its state are allocated one after another: the lines an event reads sit together.
        var row = new GroupRow(key, hash, StateLength, RingLength, Feeds, aligned: true);
        Chain(row);
        Count++;
        return row;
    }

    private void Chain(GroupRow row)
    {
        ref var head = ref _chains[(int)row.Hash & (_chains.Length - 1)];
        row.NextSameHash = head;
        head = row;
    }

    /// <summary>Twice the chains, at most half full: rechains every row (rare; amortised over the adds).</summary>
    private void Grow()
    {
        var old = _chains;
        _chains = new GroupRow?[old.Length * 2];
        foreach (var first in old)
        {
            for (var row = first; row is not null;)
            {
                var next = row.NextSameHash;
                Chain(row);
                row = next;
            }
        }
    }
}
