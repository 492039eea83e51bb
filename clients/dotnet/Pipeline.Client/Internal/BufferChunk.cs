using System.Buffers;
using System.Buffers.Text;

namespace Pipeline.Client.Internal;

/// <summary>
/// A run of consecutive events as NDJSON lines in one pooled array: the bytes a WebSocket message sends as they
/// are. <see cref="Head"/> is the first event still unacknowledged; the sender may be reading it while it is
/// <see cref="Sending"/>, so its arrays go back to the pool only when both acks and the sender are done with it.
/// </summary>
internal sealed class BufferChunk
{
    // {"seq":  +  19 digits  +  ,  +  \n
    public const int SeqOverhead = 8 + 19 + 1 + 1;

    private byte[] _bytes;
    private int[] _ends;

    public BufferChunk(long firstSeq, int capacity)
    {
        _bytes = ArrayPool<byte>.Shared.Rent(capacity);
        _ends = ArrayPool<int>.Shared.Rent(64);
        FirstSeq = firstSeq;
    }

    /// <summary>Wraps lines read back from a spill file (each ends with <c>\n</c>).</summary>
    public BufferChunk(long firstSeq, byte[] bytes, int length)
    {
        _bytes = bytes;
        _ends = ArrayPool<int>.Shared.Rent(64);
        FirstSeq = firstSeq;
        var start = 0;
        while (start < length)
        {
            var end = start + bytes.AsSpan(start, length - start).IndexOf((byte)'\n') + 1;
            AddEnd(end);
            start = end;
        }

        Length = length;
    }

    public long FirstSeq { get; }

    public int Count { get; private set; }

    public int Length { get; private set; }

    /// <summary>Index of the first event not yet acknowledged or dropped.</summary>
    public int Head { get; set; }

    public bool Sending { get; set; }

    /// <summary>Acknowledged or dropped whole while <see cref="Sending"/>: the sender returns the arrays.</summary>
    public bool Released { get; private set; }

    public int Capacity => _bytes.Length;

    public long LastSeq => FirstSeq + Count - 1;

    public int LiveCount => Count - Head;

    public ReadOnlyMemory<byte> Bytes(int start, int end) => _bytes.AsMemory(start, end - start);

    public int StartOf(int index) => index == 0 ? 0 : _ends[index - 1];

    public int LengthOf(int index) => _ends[index] - StartOf(index);

    /// <summary>The bytes of the live events, for a spill file.</summary>
    public ReadOnlySpan<byte> LiveBytes => _bytes.AsSpan(StartOf(Head), Length - StartOf(Head));

    /// <summary>Whether an event of <paramref name="bodyLength"/> bytes (as the scratch writer made it) fits.</summary>
    public bool Fits(int bodyLength) => Length + bodyLength + SeqOverhead <= _bytes.Length;

    /// <summary>
    /// Appends <c>{"seq":N,</c> and <paramref name="body"/> without its opening brace, then <c>\n</c>; returns the
    /// line's length. The caller checked <see cref="Fits"/>.
    /// </summary>
    public int Append(ReadOnlySpan<byte> body)
    {
        var seq = FirstSeq + Count;
        var span = _bytes.AsSpan(Length);
        "{\"seq\":"u8.CopyTo(span);
        Utf8Formatter.TryFormat(seq, span[7..], out var digits);
        var at = 7 + digits;
        if (body.Length <= 2)
        {
            span[at++] = (byte)'}';
        }
        else
        {
            span[at++] = (byte)',';
            body[1..].CopyTo(span[at..]);
            at += body.Length - 1;
        }

        span[at++] = (byte)'\n';
        Length += at;
        AddEnd(Length);
        return at;
    }

    /// <summary>Gives the arrays back unless the sender still reads them (then it calls this again when done).</summary>
    public void Release()
    {
        Released = true;
        if (Sending)
        {
            return;
        }

        if (_bytes.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_bytes);
            ArrayPool<int>.Shared.Return(_ends);
            _bytes = [];
            _ends = [];
        }
    }

    private void AddEnd(int end)
    {
        if (Count == _ends.Length)
        {
            var larger = ArrayPool<int>.Shared.Rent(_ends.Length * 2);
            _ends.AsSpan(0, Count).CopyTo(larger);
            ArrayPool<int>.Shared.Return(_ends);
            _ends = larger;
        }

        _ends[Count++] = end;
    }
}
