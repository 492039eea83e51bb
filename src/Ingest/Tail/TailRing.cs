namespace Pipeline.Ingest.Tail;

/// <summary>A subscriber's events waiting to be sent, oldest first, and the events missed after the last of them.</summary>
internal sealed class TailRing
{
    private readonly TailSlot[] _slots;

    public TailRing(int capacity)
    {
        _slots = new TailSlot[capacity];
        for (var i = 0; i < capacity; i++)
        {
            _slots[i] = new TailSlot();
        }
    }

    public int Count { get; private set; }

    /// <summary>Events missed since the last one in the ring (or since the ring was taken).</summary>
    public long Dropped { get; private set; }

    public bool IsEmpty => Count == 0 && Dropped == 0;

    public TailSlot this[int index] => _slots[index];

    /// <summary>Adds the line, or counts it as missed when the ring is full; false when it was missed.</summary>
    public bool TryAdd(ReadOnlySpan<byte> line)
    {
        if (Count == _slots.Length)
        {
            Dropped++;
            return false;
        }

        _slots[Count++].Set(line, Dropped);
        Dropped = 0;
        return true;
    }

    public void AddDropped(long count) => Dropped += count;

    public void Clear()
    {
        Count = 0;
        Dropped = 0;
    }
}
