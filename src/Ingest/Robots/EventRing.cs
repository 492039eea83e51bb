namespace Pipeline.Ingest.Robots;

/// <summary>
/// The last events the pipeline saw from one robot (<see cref="RecentEvent"/>s, after redaction), in one circular byte buffer:
/// at most <c>slots</c> lines and <see cref="MaxBytes"/> bytes, the oldest overwritten first. It grows while its lines
/// need the room (so a robot's ring is about as large as its last lines) and never allocates after that. One writer (the robots sink); readers copy under the lock.
/// </summary>
internal sealed class EventRing
{
    /// <summary>The most one robot's ring holds; a line longer than a quarter of it is not kept (counted by the caller).</summary>
    internal const int MaxBytes = 64 * 1024;

    private readonly Lock _gate = new();
    private readonly int _slotCount;
    private (int Offset, int Length, byte Level)[] _slots = [];
    private byte[] _data = [];
    private int _next; // the slot the next line goes in
    private int _count;
    private int _write; // where in _data the next line goes
    private int _live; // bytes of the lines kept

    /// <summary>Nothing is allocated until the first line: a robot that never sends takes no room.</summary>
    public EventRing(int slots)
    {
        _slotCount = Math.Max(slots, 1);
    }

    /// <summary>Bytes the ring holds room for now.</summary>
    public int Capacity
    {
        get
        {
            lock (_gate)
            {
                return _data.Length;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>Keeps <paramref name="line"/>; false when it is too long to keep.</summary>
    public bool Add(ReadOnlySpan<byte> line, byte level)
    {
        if (line.Length > MaxBytes / 4)
        {
            return false;
        }

        lock (_gate)
        {
            if (_slots.Length == 0)
            {
                _slots = new (int, int, byte)[_slotCount];
            }

            if (_count == _slots.Length)
            {
                Evict(); // the slot the line takes is the oldest's
            }

            if (_write + line.Length > _data.Length)
            {
                // Grow only while the lines kept need the room: a ring bound by its slots stays as small as its lines.
                if (_live + line.Length > _data.Length && _data.Length < MaxBytes)
                {
                    Array.Resize(ref _data, Math.Min(MaxBytes, Math.Max(Math.Max(_data.Length * 2, 1024), _live + line.Length)));
                }

                if (_write + line.Length > _data.Length)
                {
                    // Wrap: the lines past the write position are the oldest, and this lap never reaches them.
                    while (_count > 0 && _slots[Oldest()].Offset >= _write)
                    {
                        Evict();
                    }

                    _write = 0;
                }
            }

            // Lines lie in the buffer in the order they came, circularly: the ones this line overwrites are the oldest.
            while (_count > 0)
            {
                var oldest = _slots[Oldest()];
                if (oldest.Offset + oldest.Length <= _write || oldest.Offset >= _write + line.Length)
                {
                    break;
                }

                Evict();
            }

            line.CopyTo(_data.AsSpan(_write));
            _slots[_next] = (_write, line.Length, level);
            _next = (_next + 1) % _slots.Length;
            _count++;
            _live += line.Length;
            _write += line.Length;
            return true;
        }
    }

    /// <summary>The last <paramref name="limit"/> lines whose level is at least <paramref name="minLevel"/>, oldest first, with their levels.</summary>
    public List<(byte[] Bytes, byte Level)> Last(int limit, byte minLevel)
    {
        var lines = new List<(byte[], byte)>();
        lock (_gate)
        {
            for (var i = 0; i < _count && lines.Count < limit; i++)
            {
                var slot = _slots[(_next - 1 - i + _slots.Length * 2) % _slots.Length];
                if (slot.Level >= minLevel)
                {
                    lines.Add((_data.AsSpan(slot.Offset, slot.Length).ToArray(), slot.Level));
                }
            }
        }

        lines.Reverse();
        return lines;
    }

    private int Oldest() => (_next - _count + _slots.Length) % _slots.Length;

    private void Evict()
    {
        _live -= _slots[Oldest()].Length;
        _count--;
    }
}
