namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>
/// Events counted in a sliding window: a ring of buckets, the head bucket counted inline, and a running total,
/// so counting touches a few longs (no division, no ring write within a bucket) and summing is O(buckets
/// passed), not O(window). A view: the counters are <see cref="GroupSlots.PerWindow"/> longs of the group's row
/// state, the ring is a run of the row's rings, so an event's count lands next to its feeds' other counters.
/// </summary>
internal readonly struct SlidingWindow
{
    // State[at..at+2]: head bucket number, head count, total (the head bucket ends at (head + 1) * bucket ticks).
    // Ring[ringAt + i % n] counts bucket number i.
    private const int HeadSlot = 0, HeadCountSlot = 1, TotalSlot = 2;

    private readonly long[] _state;
    private readonly int _at;
    private readonly long[] _rings;
    private readonly int _ringAt;
    private readonly int _buckets;

    public SlidingWindow(long[] state, int at, long[] rings, int ringAt, int buckets)
    {
        _state = state;
        _at = at;
        _rings = rings;
        _ringAt = ringAt;
        _buckets = buckets;
    }

    /// <summary>The newest bucket number.</summary>
    public long Head => _state[_at + HeadSlot];

    /// <summary>The head bucket's count (its slot in the ring is written when a later bucket starts).</summary>
    public long HeadCount => _state[_at + HeadCountSlot];

    /// <summary>The events in the window: <see cref="HeadCount"/> plus the other buckets, kept as they change.</summary>
    public long Total => _state[_at + TotalSlot];

    public int BucketCount => _buckets;

    /// <summary>Counts one event in the bucket of <paramref name="now"/>; returns the events in the window ending at <paramref name="now"/>.</summary>
    public long Add(long now, long bucketTicks)
    {
        // Before the head bucket's end, counting needs no division.
        var s = _state.AsSpan(_at, GroupSlots.PerWindow);
        if (now >= (s[HeadSlot] + 1) * bucketTicks)
        {
            Advance(now, bucketTicks);
        }

        s[HeadCountSlot]++;
        return ++s[TotalSlot];
    }

    /// <summary>Events in the window ending at <paramref name="now"/>.</summary>
    public long Sum(long now, long bucketTicks)
    {
        if (now >= (Head + 1) * bucketTicks)
        {
            Advance(now, bucketTicks);
        }

        return Total;
    }

    /// <summary>The ring with the head bucket's count in its place (for <c>state.json</c>).</summary>
    public long[] Snapshot()
    {
        var copy = Ring.ToArray();
        if (copy.Length > 0)
        {
            copy[(int)(Head % copy.Length)] = HeadCount;
        }

        return copy;
    }

    /// <summary>Takes back a ring of <see cref="Snapshot"/> (of <see cref="BucketCount"/> buckets) whose head bucket is <paramref name="head"/>.</summary>
    public void Restore(long head, long[] buckets)
    {
        buckets.AsSpan(0, _buckets).CopyTo(Ring);
        var s = _state.AsSpan(_at, GroupSlots.PerWindow);
        s[HeadSlot] = head;
        s[HeadCountSlot] = _buckets > 0 ? buckets[(int)(head % _buckets)] : 0;
        s[TotalSlot] = buckets.Sum();
    }

    /// <summary>Makes this window the same as <paramref name="other"/> (of the same layout): a reload's carried window.</summary>
    public void CopyFrom(SlidingWindow other)
    {
        other._state.AsSpan(other._at, GroupSlots.PerWindow).CopyTo(_state.AsSpan(_at, GroupSlots.PerWindow));
        other.Ring.CopyTo(Ring);
    }

    private Span<long> Ring => _rings.AsSpan(_ringAt, _buckets);

    private void Advance(long now, long bucketTicks)
    {
        var s = _state.AsSpan(_at, GroupSlots.PerWindow);
        var ring = Ring;
        var bucket = now / bucketTicks;
        var head = s[HeadSlot];
        if (bucket <= head)
        {
            return; // the clock went back: keep counting in the head bucket
        }

        var gap = bucket - head;
        if (gap >= ring.Length)
        {
            ring.Clear();
            s[TotalSlot] = 0;
        }
        else
        {
            ring[(int)(head % ring.Length)] = s[HeadCountSlot];
            for (var b = head + 1; b <= bucket; b++)
            {
                ref var expired = ref ring[(int)(b % ring.Length)];
                s[TotalSlot] -= expired;
                expired = 0;
            }
        }

        s[HeadSlot] = bucket;
        s[HeadCountSlot] = 0;
    }
}
