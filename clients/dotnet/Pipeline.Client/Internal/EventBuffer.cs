namespace Pipeline.Client.Internal;

/// <summary>
/// Every event given and not yet acknowledged, in seq order: memory chunks first, then the spill files, then
/// the chunk being filled for the spill. Seqs are consecutive from <see cref="HeadSeq"/> to <see cref="LastSeq"/>
/// (drops only take the oldest), so "everything up to N" is a position, not a search. Not thread-safe: the
/// client calls it under its lock.
/// </summary>
internal sealed class EventBuffer : IDisposable
{
    private readonly List<BufferChunk> _chunks = [];
    private readonly int _maxEvents;
    private readonly long _maxBytes;
    private readonly int _chunkBytes;
    private readonly SpillQueue? _spill;
    private readonly long _maxSpillBytes;
    private BufferChunk? _staging;
    private long _nextSeq = 1;
    private long _cursor = 1;
    private long _highestSent;

    public EventBuffer(int maxEvents, long maxBytes, int chunkBytes, SpillQueue? spill, long maxSpillBytes)
    {
        _maxEvents = maxEvents;
        _maxBytes = maxBytes;
        _chunkBytes = chunkBytes;
        _spill = spill;
        _maxSpillBytes = maxSpillBytes;
    }

    /// <summary>Events in memory.</summary>
    public int Count { get; private set; }

    /// <summary>Bytes of the events in memory.</summary>
    public long Bytes { get; private set; }

    /// <summary>Events in the spill (files and the chunk being filled for them).</summary>
    public long SpilledEvents => (_spill?.Events ?? 0) + (_staging?.LiveCount ?? 0);

    /// <summary>The oldest seq still buffered; <see cref="LastSeq"/> + 1 when nothing is.</summary>
    public long HeadSeq => _chunks.Count > 0 ? _chunks[0].FirstSeq + _chunks[0].Head : SpillHeadSeq;

    /// <summary>The last seq given.</summary>
    public long LastSeq => _nextSeq - 1;

    /// <summary>Events buffered anywhere.</summary>
    public long Buffered => LastSeq - HeadSeq + 1;

    private long SpillHeadSeq => _spill is { IsEmpty: false } ? _spill.Peek().FirstSeq : _staging is { LiveCount: > 0 } ? _staging.FirstSeq + _staging.Head : _nextSeq;

    /// <summary>Whether an event of this size could ever be taken (the memory bound holds at least one).</summary>
    public bool CanEverHold(int bodyLength) => bodyLength + BufferChunk.SeqOverhead <= _maxBytes;

    /// <summary>Appends the event with the next seq, or returns 0 when memory and spill are full.</summary>
    public long TryAppend(ReadOnlySpan<byte> body)
    {
        var length = body.Length + BufferChunk.SeqOverhead;
        if (_staging is null && (_spill is null || _spill.IsEmpty))
        {
            if (Count < _maxEvents && Bytes + length <= _maxBytes)
            {
                var tail = _chunks.Count > 0 ? _chunks[^1] : null;
                if (tail is null || tail.Released || !tail.Fits(body.Length))
                {
                    tail = new BufferChunk(_nextSeq, Math.Max(_chunkBytes, length));
                    _chunks.Add(tail);
                }

                Bytes += tail.Append(body);
                Count++;
                return _nextSeq++;
            }

            if (_spill is null)
            {
                return 0;
            }
        }

        return TrySpill(body, length);
    }

    /// <summary>Drops the oldest event (memory first); false when nothing is buffered.</summary>
    public bool DropOldest()
    {
        if (_chunks.Count == 0)
        {
            return false;
        }

        var chunk = _chunks[0];
        Bytes -= chunk.LengthOf(chunk.Head);
        chunk.Head++;
        Count--;
        if (chunk.LiveCount == 0)
        {
            chunk.Release();
            _chunks.RemoveAt(0);
        }

        Refill();
        return true;
    }

    /// <summary>Frees every event up to <paramref name="seq"/>; returns how many.</summary>
    public long Acknowledge(long seq)
    {
        long freed = 0;
        var removed = 0;
        for (var i = 0; i < _chunks.Count && _chunks[i].FirstSeq + _chunks[i].Head <= seq; i++)
        {
            var chunk = _chunks[i];
            var upTo = (int)Math.Min(chunk.Count, seq - chunk.FirstSeq + 1);
            for (var e = chunk.Head; e < upTo; e++)
            {
                Bytes -= chunk.LengthOf(e);
            }

            freed += upTo - chunk.Head;
            chunk.Head = upTo;
            if (chunk.LiveCount > 0)
            {
                break;
            }

            chunk.Release();
            removed++;
        }

        _chunks.RemoveRange(0, removed);
        Count -= (int)freed;
        if (freed > 0)
        {
            Refill();
        }

        return freed;
    }

    /// <summary>After a (re)connect and its resume ack: the next send starts at the oldest event buffered.</summary>
    public void Rewind() => _cursor = HeadSeq;

    /// <summary>
    /// The next events to send, as one slice of one chunk (at most a chunk's bytes), or false when everything
    /// in memory was sent. The chunk is <see cref="BufferChunk.Sending"/> until <see cref="EndSend"/>.
    /// </summary>
    public bool TryTakeSlice(out BufferChunk chunk, out ReadOnlyMemory<byte> bytes, out int count, out int resent)
    {
        if (_cursor < HeadSeq)
        {
            _cursor = HeadSeq;
        }

        foreach (var candidate in _chunks)
        {
            if (candidate.LastSeq < _cursor)
            {
                continue;
            }

            var index = (int)(_cursor - candidate.FirstSeq);
            chunk = candidate;
            bytes = candidate.Bytes(candidate.StartOf(index), candidate.Length);
            count = candidate.Count - index;
            var last = _cursor + count - 1;
            resent = (int)Math.Max(0, Math.Min(last, _highestSent) - _cursor + 1);
            _highestSent = Math.Max(_highestSent, last);
            _cursor = last + 1;
            candidate.Sending = true;
            return true;
        }

        chunk = null!;
        bytes = default;
        count = 0;
        resent = 0;
        return false;
    }

    public static void EndSend(BufferChunk chunk)
    {
        chunk.Sending = false;
        if (chunk.Released)
        {
            chunk.Release();
        }
    }

    public void Dispose()
    {
        foreach (var chunk in _chunks)
        {
            chunk.Release();
        }

        _chunks.Clear();
        _staging?.Release();
        _staging = null;
        _spill?.Dispose();
        Count = 0;
        Bytes = 0;
    }

    private long TrySpill(ReadOnlySpan<byte> body, int length)
    {
        var staged = _staging?.Length ?? 0;
        if (_spill!.Bytes + staged + length > _maxSpillBytes)
        {
            return 0;
        }

        // A spilled chunk must fit in an empty memory buffer when it comes back, in events as in bytes.
        if (_staging is not null && (!_staging.Fits(body.Length) || _staging.Count >= _maxEvents || _staging.Length + length > _maxBytes))
        {
            _spill.Write(_staging);
            _staging.Release();
            _staging = null;
        }

        _staging ??= new BufferChunk(_nextSeq, Math.Max(_chunkBytes, length));
        _staging.Append(body);
        return _nextSeq++;
    }

    /// <summary>Moves spilled events back into memory, oldest first, while they fit.</summary>
    private void Refill()
    {
        if (_spill is null)
        {
            return;
        }

        while (!_spill.IsEmpty)
        {
            var next = _spill.Peek();
            if (Count + next.Count > _maxEvents || Bytes + next.Bytes > _maxBytes)
            {
                return;
            }

            _chunks.Add(_spill.Read());
            Count += next.Count;
            Bytes += next.Bytes;
        }

        if (_staging is not null && Count + _staging.LiveCount <= _maxEvents && Bytes + _staging.Length <= _maxBytes)
        {
            _chunks.Add(_staging);
            Count += _staging.LiveCount;
            Bytes += _staging.Length;
            _staging = null;
        }
    }
}
