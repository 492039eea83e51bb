namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>
/// A feed's groups in the order they were last seen: an intrusive least-recently-seen list for eviction at
/// <see cref="Capacity"/> and for the tick's walk. Groups are found by key through their rows
/// (<see cref="GroupIndex"/>, shared by the feeds of a group-by signature).
/// </summary>
internal sealed class GroupTable
{
    /// <summary>How far from the oldest end eviction looks for a group that holds no alert.</summary>
    private const int EvictionScan = 32;

    private ObservedGroup? _newest;
    private ObservedGroup? _oldest;

    public GroupTable(int capacity)
    {
        Capacity = capacity;
    }

    public int Capacity { get; }

    public int Count { get; private set; }

    public long Evicted { get; private set; }

    /// <summary>The most recently seen group; follow <see cref="ObservedGroup.Older"/> for the rest (the tick walks them without copying).</summary>
    public ObservedGroup? Newest => _newest;

    /// <summary>Adds a new group as the newest; evicts one first when full, returned in <paramref name="evicted"/>.</summary>
    public void Add(ObservedGroup group, out ObservedGroup? evicted)
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

        Link(group);
        Count++;
    }

    /// <summary>Marks the group the most recently seen.</summary>
    public void Touch(ObservedGroup group)
    {
        if (ReferenceEquals(_newest, group))
        {
            return;
        }

        Unlink(group);
        Link(group);
    }

    public void Remove(ObservedGroup group)
    {
        Unlink(group);
        Count--;
    }

    /// <summary>Newest first. Not for the hot path (the tick and the API).</summary>
    public List<ObservedGroup> Snapshot()
    {
        var list = new List<ObservedGroup>(Count);
        for (var g = _newest; g is not null; g = g.Older)
        {
            list.Add(g);
        }

        return list;
    }

    /// <summary>The least recently seen group that holds no alert, or the least recently seen one.</summary>
    private ObservedGroup? Victim()
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

    private void Link(ObservedGroup group)
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

    private void Unlink(ObservedGroup group)
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
