using Pipeline.Blocks.Events;

namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>
/// One (rule, group) pair: its key, labels, sliding window and state machine. Allocated once, when the group
/// is first seen; every later event only updates fields. Guarded by the engine's lock.
/// </summary>
internal sealed class AlertGroup
{
    /// <summary>The last event's line kept for examples, at most this many bytes (copied, not allocated, per event).</summary>
    public const int ExampleBytes = 512;

    public AlertGroup(byte[] key, ulong hash, string groupKey, Dictionary<string, string> labels, string fingerprint, int buckets)
    {
        Key = key;
        Hash = hash;
        GroupKey = groupKey;
        Labels = labels;
        Fingerprint = fingerprint;
        Buckets = new long[buckets];
    }

    public byte[] Key { get; }
    public ulong Hash { get; }
    public string GroupKey { get; }
    public Dictionary<string, string> Labels { get; }
    public string Fingerprint { get; }

    // Table links: same-hash chain and the least-recently-seen list.
    public AlertGroup? NextSameHash;
    public AlertGroup? Newer;
    public AlertGroup? Older;

    // The sliding window: Buckets[i % n] counts bucket number i; Head is the newest bucket number.
    public long[] Buckets;
    public long Head;

    /// <summary>The head bucket's count (its slot in <see cref="Buckets"/> is written when a later bucket starts).</summary>
    public long HeadCount;

    /// <summary>Engine-clock ticks at which the head bucket ends: before it, counting needs no division.</summary>
    public long HeadEnd;

    /// <summary>The events in the window: <see cref="HeadCount"/> plus the other buckets, kept as they change.</summary>
    public long Total;

    /// <summary>Last matching event, UTC ticks of the engine's clock (absent rules).</summary>
    public long LastSeen;

    /// <summary>The connection of the group's last event: presence (offline when closed).</summary>
    public SourceConnection? LastConnection;

    /// <summary>The hash of the group's <c>robot_id</c> when the rule groups by it, else 0: presence across reconnects.</summary>
    public ulong RobotHash { get; init; }

    /// <summary>Attribute rules: the last value read, and whether the last event met the condition.</summary>
    public double LastValue = double.NaN;
    public bool LastMet;

    public byte[] Example = new byte[ExampleBytes];
    public int ExampleLength;

    /// <summary>The second (engine clock) the example was taken in.</summary>
    public long ExampleAt = -1;

    public AlertState State;

    /// <summary>The state a group was in when its robot went offline (Pending, Firing, or Inactive for absent rules).</summary>
    public AlertState OfflineFrom;

    public long PendingSince;
    public long FiringSince;
    public long ClearSince;
    public long OfflineSince;
    public bool NotifiedFiring;
    public long LastNotified;
    public int Notifications;
    public double Value;
    public long Count;

    // Flap damping: the times of the last state changes (a ring), and the last time the condition flipped.
    public long[] Changes = [];
    public int ChangeCount;
    public bool Flapping;
    public bool LastOver;
    public long LastFlip;
    public bool Silenced;

    /// <summary>All labels of the group's alerts (alertname, severity, group-by, the rule's), made once per rule version.</summary>
    public IReadOnlyDictionary<string, string>? AllLabels;
    public object? AllLabelsOf;

    public bool IsActive => State is AlertState.Pending or AlertState.Firing or AlertState.Offline;

    /// <summary>Counts one event in the bucket of <paramref name="now"/>; returns the events in the window ending at <paramref name="now"/>.</summary>
    /// <remarks>
    /// The hot path of matching: within the head bucket it touches only this object's fields (no division, no
    /// ring write); the ring takes the head's count when a later bucket starts.
    /// </remarks>
    public long Add(long now, long bucketTicks)
    {
        if (now >= HeadEnd)
        {
            Advance(now, bucketTicks);
        }

        HeadCount++;
        return ++Total;
    }

    /// <summary>Events in the window ending at <paramref name="now"/>: a running total, so O(buckets passed), not O(window).</summary>
    public long Sum(long now, long bucketTicks)
    {
        if (now >= HeadEnd)
        {
            Advance(now, bucketTicks);
        }

        return Total;
    }

    /// <summary>The ring with the head bucket's count in its place (for <c>state.json</c>).</summary>
    public long[] SnapshotBuckets()
    {
        long[] copy = [.. Buckets];
        if (copy.Length > 0)
        {
            copy[(int)(Head % copy.Length)] = HeadCount;
        }

        return copy;
    }

    /// <summary>Takes back a ring of <see cref="SnapshotBuckets"/> whose head bucket is <paramref name="head"/>.</summary>
    public void RestoreBuckets(long head, long[] buckets, long bucketTicks)
    {
        Buckets = buckets;
        Head = head;
        HeadCount = buckets.Length > 0 ? buckets[(int)(head % buckets.Length)] : 0;
        HeadEnd = (head + 1) * bucketTicks;
        Total = buckets.Sum();
    }

    public void KeepExample(ReadOnlySpan<byte> line)
    {
        var length = Math.Min(line.Length, ExampleBytes);
        line[..length].CopyTo(Example);
        ExampleLength = length;
    }

    /// <summary>Remembers a fire or resolve at <paramref name="now"/>; the number of changes within <paramref name="within"/>, this one included.</summary>
    public int RecordChange(long now, long within, int ring)
    {
        if (ring == 0)
        {
            return 0;
        }

        if (Changes.Length != ring)
        {
            Changes = new long[ring];
            ChangeCount = 0;
        }

        Changes[ChangeCount % ring] = now;
        ChangeCount++;
        var recent = 0;
        var held = Math.Min(ChangeCount, ring);
        for (var i = 0; i < held; i++)
        {
            if (now - Changes[i] <= within)
            {
                recent++;
            }
        }

        return recent;
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
        if (gap >= Buckets.Length)
        {
            Array.Clear(Buckets);
            Total = 0;
        }
        else
        {
            Buckets[(int)(Head % Buckets.Length)] = HeadCount;
            for (var b = Head + 1; b <= bucket; b++)
            {
                ref var expired = ref Buckets[(int)(b % Buckets.Length)];
                Total -= expired;
                expired = 0;
            }
        }

        Head = bucket;
        HeadCount = 0;
    }
}
