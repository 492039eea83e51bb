using System.Collections.Concurrent;

namespace Pipeline.Blocks.Events;

/// <summary>
/// A bounded pool of <see cref="EventBatch"/>es. Batches beyond <see cref="EventBatchPoolOptions.MaxRetained"/>
/// are left to the GC, so a burst cannot pin memory for ever.
/// </summary>
public sealed class EventBatchPool
{
    private readonly ConcurrentQueue<EventBatch> _free = new();
    private readonly EventBatchPoolOptions _options;
    private int _freeCount;
    private long _created;

    public EventBatchPool(EventBatchPoolOptions options)
    {
        _options = options;
    }

    public EventBatchPool()
        : this(new EventBatchPoolOptions())
    {
    }

    /// <summary>Batches created so far (a pool that keeps growing means batches are not released).</summary>
    public long Created => Interlocked.Read(ref _created);

    public int Retained => Volatile.Read(ref _freeCount);

    /// <summary>Rents an empty batch holding one reference.</summary>
    public EventBatch Rent()
    {
        if (_free.TryDequeue(out var batch))
        {
            Interlocked.Decrement(ref _freeCount);
        }
        else
        {
            batch = new EventBatch(this, _options.InitialBytes, _options.InitialEvents);
            Interlocked.Increment(ref _created);
        }

        batch.Reset(_options);
        return batch;
    }

    internal void Return(EventBatch batch)
    {
        if (Interlocked.Increment(ref _freeCount) <= _options.MaxRetained)
        {
            _free.Enqueue(batch);
        }
        else
        {
            Interlocked.Decrement(ref _freeCount);
        }
    }
}
