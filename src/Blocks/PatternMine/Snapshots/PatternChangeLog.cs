using System.Collections.Concurrent;

namespace Pipeline.Blocks.PatternMine;

/// <summary>
/// Bounded queue of template changes, filled by the miner under its lock (so it never waits here) and
/// drained by the snapshot writer. When full, a change is dropped and counted rather than blocking
/// the miner or growing without bound.
/// </summary>
public sealed class PatternChangeLog
{
    private readonly ConcurrentQueue<PatternChange> _queue = new();
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private int _queued;
    private long _dropped;

    public PatternChangeLog(int capacity, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _time = time;
    }

    /// <summary>Changes waiting to be written.</summary>
    public int Count => Volatile.Read(ref _queued);

    /// <summary>Changes dropped because the queue was full, since start.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Moves every queued change, oldest first, into <paramref name="into"/>; returns how many.</summary>
    public int Drain(List<PatternChange> into)
    {
        var n = 0;
        while (_queue.TryDequeue(out var change))
        {
            Interlocked.Decrement(ref _queued);
            into.Add(change);
            n++;
        }

        return n;
    }

    internal void Generalised(ulong id, string before, string after) =>
        Enqueue(PatternChangeKind.Generalised, id, before, after, 0);

    internal void Merged(ulong id, ulong into) => Enqueue(PatternChangeKind.Merged, id, null, null, into);

    internal void Evicted(ulong id) => Enqueue(PatternChangeKind.Evicted, id, null, null, 0);

    private void Enqueue(PatternChangeKind kind, ulong id, string? before, string? after, ulong into)
    {
        if (Interlocked.Increment(ref _queued) > _capacity)
        {
            Interlocked.Decrement(ref _queued);
            Interlocked.Increment(ref _dropped);
            return;
        }

        _queue.Enqueue(new PatternChange(kind, id, _time.GetUtcNow().ToUnixTimeMilliseconds(), before, after, into));
    }
}
