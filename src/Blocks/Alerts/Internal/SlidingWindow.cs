namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>
/// Events counted in a sliding window: a ring of buckets, the head bucket counted inline, and a running total,
/// so counting touches a few fields (no division, no ring write within a bucket) and summing is O(buckets
/// passed), not O(window). A mutable struct: it lives in its group's array and is used through a reference.
/// </summary>
internal struct SlidingWindow
{
    // Buckets[i % n] counts bucket number i; Head is the newest bucket number.
    private long[] _buckets;

    public SlidingWindow(int buckets)
    {
        _buckets = new long[buckets];
    }

    public long Head { get; private set; }

    /// <summary>The head bucket's count (its slot in the ring is written when a later bucket starts).</summary>
    public long HeadCount { get; private set; }

    /// <summary>Engine-clock ticks at which the head bucket ends: before it, counting needs no division.</summary>
    public long HeadEnd { get; private set; }

    /// <summary>The events in the window: <see cref="HeadCount"/> plus the other buckets, kept as they change.</summary>
    public long Total { get; private set; }

    public readonly int BucketCount => _buckets.Length;

    /// <summary>Counts one event in the bucket of <paramref name="now"/>; returns the events in the window ending at <paramref name="now"/>.</summary>
    public long Add(long now, long bucketTicks)
    {
        if (now >= HeadEnd)
        {
            Advance(now, bucketTicks);
        }

        HeadCount++;
        return ++Total;
    }

    /// <summary>Events in the window ending at <paramref name="now"/>.</summary>
    public long Sum(long now, long bucketTicks)
    {
        if (now >= HeadEnd)
        {
            Advance(now, bucketTicks);
        }

        return Total;
    }

    /// <summary>The ring with the head bucket's count in its place (for <c>state.json</c>).</summary>
    public readonly long[] Snapshot()
    {
        long[] copy = [.. _buckets];
        if (copy.Length > 0)
        {
            copy[(int)(Head % copy.Length)] = HeadCount;
        }

        return copy;
    }

    /// <summary>Takes back a ring of <see cref="Snapshot"/> whose head bucket is <paramref name="head"/>.</summary>
    public void Restore(long head, long[] buckets, long bucketTicks)
    {
        _buckets = buckets;
        Head = head;
        HeadCount = buckets.Length > 0 ? buckets[(int)(head % buckets.Length)] : 0;
        HeadEnd = (head + 1) * bucketTicks;
        Total = buckets.Sum();
    }

    private void Advance(long now, long bucketTicks)
    {
        var bucket = now / bucketTicks;
        HeadEnd = (bucket + 1) * bucketTicks;
        if (bucket <= Head)
        {
            return; // the clock went back: keep counting in the head bucket
        }

        var gap = bucket - Head;
        if (gap >= _buckets.Length)
        {
            Array.Clear(_buckets);
            Total = 0;
        }
        else
        {
            _buckets[(int)(Head % _buckets.Length)] = HeadCount;
            for (var b = Head + 1; b <= bucket; b++)
            {
                ref var expired = ref _buckets[(int)(b % _buckets.Length)];
                Total -= expired;
                expired = 0;
            }
        }

        Head = bucket;
        HeadCount = 0;
    }
}
