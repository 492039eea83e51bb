namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>
/// A rule's groups by key: a hash → chain map (looked up with the key's bytes, so a lookup never allocates)
/// and an intrusive least-recently-seen list for eviction at <see cref="Capacity"/>.
/// </summary>
internal sealed class GroupTable
{
    /// <summary>How far from the oldest end eviction looks for a group that holds no alert.</summary>
    private const int EvictionScan = 32;

    private readonly Dictionary<ulong, AlertGroup> _byHash = [];
    private AlertGroup? _newest;
    private AlertGroup? _oldest;

    public GroupTable(int capacity)
    {
        Capacity = capacity;
    }

    public int Capacity { get; }

    public int Count { get; private set; }

    public long Evicted { get; private set; }

    /// <summary>The most recently seen group; follow <see cref="AlertGroup.Older"/> for the rest (the tick walks them without copying).</summary>
    public AlertGroup? Newest => _newest;

    public AlertGroup? Find(ulong hash, ReadOnlySpan<byte> key)
    {
        if (!_byHash.TryGetValue(hash, out var group))
        {
            return null;
        }

        for (; group is not null; group = group.NextSameHash)
        {
            if (key.SequenceEqual(group.Key))
            {
                return group;
            }
        }

        return null;
    }

    /// <summary>Adds a new group as the newest; evicts one first when full, returned in <paramref name="evicted"/>.</summary>
    public void Add(AlertGroup group, out AlertGroup? evicted)
    {
        evicted = null;
        if (Count >= Capacity)
        {
            evicted = Victim();
            if (evicted is not null)
            {
                Remove(evicted);
                Evicted++;
            }
        }

        group.NextSameHash = _byHash.TryGetValue(group.Hash, out var chain) ? chain : null;
        _byHash[group.Hash] = group;
        Link(group);
        Count++;
    }

    /// <summary>Marks the group the most recently seen.</summary>
    public void Touch(AlertGroup group)
    {
        if (ReferenceEquals(_newest, group))
        {
            return;
        }

        Unlink(group);
        Link(group);
    }

    public void Remove(AlertGroup group)
    {
        if (_byHash.TryGetValue(group.Hash, out var head))
        {
            if (ReferenceEquals(head, group))
            {
                if (group.NextSameHash is { } next)
                {
                    _byHash[group.Hash] = next;
                }
                else
                {
                    _byHash.Remove(group.Hash);
                }
            }
            else
            {
                for (var g = head; g.NextSameHash is not null; g = g.NextSameHash)
                {
                    if (ReferenceEquals(g.NextSameHash, group))
                    {
                        g.NextSameHash = group.NextSameHash;
                        break;
                    }
                }
            }
        }

        group.NextSameHash = null;
        Unlink(group);
        Count--;
    }

    /// <summary>Newest first. Not for the hot path (the tick and the API).</summary>
    public List<AlertGroup> Snapshot()
    {
        var list = new List<AlertGroup>(Count);
        for (var g = _newest; g is not null; g = g.Older)
        {
            list.Add(g);
        }

        return list;
    }

    /// <summary>The least recently seen group that holds no alert, or the least recently seen one.</summary>
    private AlertGroup? Victim()
    {
        var g = _oldest;
        for (var i = 0; g is not null && i < EvictionScan; i++, g = g.Newer)
        {
            if (!g.IsActive)
            {
                return g;
            }
        }

        return _oldest;
    }

    private void Link(AlertGroup group)
    {
        group.Older = _newest;
        group.Newer = null;
        if (_newest is not null)
        {
            _newest.Newer = group;
        }

        _newest = group;
        _oldest ??= group;
    }

    private void Unlink(AlertGroup group)
    {
        if (group.Newer is not null)
        {
            group.Newer.Older = group.Older;
        }
        else if (ReferenceEquals(_newest, group))
        {
            _newest = group.Older;
        }

        if (group.Older is not null)
        {
            group.Older.Newer = group.Newer;
        }
        else if (ReferenceEquals(_oldest, group))
        {
            _oldest = group.Newer;
        }

        group.Newer = null;
        group.Older = null;
    }
}
