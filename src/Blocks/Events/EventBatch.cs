using System.Buffers;
using System.Diagnostics;

namespace Pipeline.Blocks.Events;

/// <summary>
/// The unit that flows through the graph: the raw lines of one connection and the events parsed
/// from them, in buffers that come from and go back to an <see cref="EventBatchPool"/>.
/// </summary>
/// <remarks>
/// All bytes live in one growable buffer: the framed input lines first, then whatever blocks append
/// (attributes, redacted values). Events refer to it by offset, so growth keeps them valid.
/// A batch shared by several sinks is reference-counted; the last <see cref="Release"/> returns it.
/// </remarks>
public sealed class EventBatch
{
    private readonly EventBatchPool _pool;
    private byte[] _data;
    private int _length;
    private LineRef[] _lines;
    private int _lineCount;
    private EventRecord[] _events;
    private int _eventCount;
    private int _references;
    private readonly object _frameGate = new();
    private byte[]? _frame;
    private int _frameLength;

    internal EventBatch(EventBatchPool pool, int initialBytes, int initialEvents)
    {
        _pool = pool;
        _data = ArrayPool<byte>.Shared.Rent(initialBytes);
        _lines = new LineRef[initialEvents];
        _events = new EventRecord[initialEvents];
        Source = SourceConnection.Unknown;
    }

    /// <summary>The connection the batch came from.</summary>
    public SourceConnection Source { get; set; }

    /// <summary>
    /// The numbered lines of an acknowledged robot boot in this batch (DESIGN, "Acknowledgements"), or null. The files
    /// sink claims it and resolves it after the fsync; a batch that goes back to the pool unclaimed lost them.
    /// </summary>
    public Acks.AckToken? Ack { get; set; }

    /// <summary>When the batch's first line was read, Unix milliseconds.</summary>
    public long ReceivedAt { get; set; }

    public int LineCount => _lineCount;
    public int Count => _eventCount;
    public int DataLength => _length;

    /// <summary>Bytes of input the lines cover (terminators included), for the ingest byte counters.</summary>
    public long InputBytes { get; set; }

    public ReadOnlySpan<LineRef> Lines => _lines.AsSpan(0, _lineCount);
    public Span<EventRecord> Events => _events.AsSpan(0, _eventCount);
    public ReadOnlySpan<byte> Data => _data.AsSpan(0, _length);

    public ReadOnlySpan<byte> this[Slice slice] => _data.AsSpan(slice.Offset, slice.Length);

    public ReadOnlySpan<byte> GetLine(int index)
    {
        var line = _lines[index];
        return _data.AsSpan(line.Offset, line.Length);
    }

    /// <summary>Makes room for <paramref name="bytes"/> more bytes. Spans taken before this call may be stale.</summary>
    public void EnsureCapacity(int bytes)
    {
        var needed = _length + bytes;
        if (needed <= _data.Length)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _data.Length * 2));
        _data.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_data);
        _data = bigger;
    }

    /// <summary>Space for appending; call <see cref="Advance"/> with what was written.</summary>
    public Span<byte> GetAppendSpan(int sizeHint)
    {
        EnsureCapacity(sizeHint);
        return _data.AsSpan(_length);
    }

    public void Advance(int count)
    {
        Debug.Assert(_length + count <= _data.Length);
        _length += count;
    }

    /// <summary>Appends bytes and returns where they landed.</summary>
    public Slice Append(ReadOnlySpan<byte> bytes)
    {
        EnsureCapacity(bytes.Length);
        bytes.CopyTo(_data.AsSpan(_length));
        var slice = new Slice(_length, bytes.Length);
        _length += bytes.Length;
        return slice;
    }

    /// <summary>Copies bytes from a slice of this batch to its end (the source may move when the buffer grows).</summary>
    public Slice AppendFrom(Slice source)
    {
        EnsureCapacity(source.Length);
        _data.AsSpan(source.Offset, source.Length).CopyTo(_data.AsSpan(_length));
        var slice = new Slice(_length, source.Length);
        _length += source.Length;
        return slice;
    }

    public void AddLine(int offset, int length)
    {
        if (_lineCount == _lines.Length)
        {
            Array.Resize(ref _lines, _lines.Length * 2);
        }

        _lines[_lineCount++] = new LineRef(offset, length);
    }

    /// <summary>Adds an event slot and returns it, zeroed, for the parser to fill.</summary>
    public ref EventRecord AddEvent()
    {
        if (_eventCount == _events.Length)
        {
            Array.Resize(ref _events, _events.Length * 2);
        }

        ref var record = ref _events[_eventCount++];
        record = default;
        return ref record;
    }

    /// <summary>
    /// The batch as one encoded frame, made once for every sink that writes the same bytes: the first
    /// caller encodes (with its own <paramref name="encoder"/>), the others get the same frame. Valid
    /// while the caller holds its reference; sinks copy it before they release the batch. The frame's
    /// buffer goes back to the pool with the batch. Only for batches no block changes any more (sinks).
    /// </summary>
    public ReadOnlySpan<byte> GetOrEncodeFrame(IBatchFrameEncoder encoder)
    {
        lock (_frameGate)
        {
            if (_frame is null)
            {
                _frame = encoder.EncodeFrame(this, out _frameLength);
            }

            return _frame.AsSpan(0, _frameLength);
        }
    }

    /// <summary>Drops events [count..], for blocks that filter.</summary>
    public void TruncateEvents(int count) => _eventCount = Math.Min(count, _eventCount);

    /// <summary>Adds references for a fan-out to <paramref name="count"/> more owners.</summary>
    public void AddReferences(int count) => Interlocked.Add(ref _references, count);

    /// <summary>Gives up one reference; the last one returns the batch to its pool.</summary>
    public void Release()
    {
        var left = Interlocked.Decrement(ref _references);
        if (left == 0)
        {
            _pool.Return(this);
        }
        else if (left < 0)
        {
            throw new InvalidOperationException("EventBatch released more times than it was referenced.");
        }
    }

    internal int References => Volatile.Read(ref _references);

    internal void Reset(EventBatchPoolOptions options)
    {
        lock (_frameGate)
        {
            if (_frame is not null)
            {
                ArrayPool<byte>.Shared.Return(_frame);
                _frame = null;
                _frameLength = 0;
            }
        }

        if (Ack is { IsClaimed: false } unclaimed)
        {
            // Never reached the files (discarded on the way, or the graph declined it): its robot must re-send.
            unclaimed.MarkLost();
        }

        Ack = null;
        _length = 0;
        _lineCount = 0;
        _eventCount = 0;
        InputBytes = 0;
        ReceivedAt = 0;
        Source = SourceConnection.Unknown;
        _references = 1;
        if (_data.Length > options.MaxRetainedBytes)
        {
            // A batch that once held a huge line should not pin that memory while pooled.
            ArrayPool<byte>.Shared.Return(_data);
            _data = ArrayPool<byte>.Shared.Rent(Math.Min(options.InitialBytes, options.MaxRetainedBytes));
        }

        if (_events.Length > options.MaxRetainedEvents)
        {
            var slots = Math.Min(options.InitialEvents, options.MaxRetainedEvents);
            _events = new EventRecord[slots];
            _lines = new LineRef[slots];
        }
        else
        {
            // Drop RobotInfo references so pooled batches do not keep old registries alive.
            Array.Clear(_events);
        }
    }
}
