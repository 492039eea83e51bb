using System.Buffers;

namespace Pipeline.Storage.Spool;

/// <summary>The oldest record of a <see cref="DiskSpool"/>, read and checked; its buffer is pooled until dispose.</summary>
public sealed class SpoolRecord : IDisposable
{
    private byte[] _buffer;

    internal SpoolRecord(byte[] buffer, int length, int rows, ushort format, long segment, long offset, long nextOffset)
    {
        _buffer = buffer;
        Length = length;
        Rows = rows;
        Format = format;
        Segment = segment;
        Offset = offset;
        NextOffset = nextOffset;
    }

    public int Length { get; }

    /// <summary>Events the payload holds (for the metrics).</summary>
    public int Rows { get; }

    /// <summary>What the payload is, as the appender said (the spool does not interpret it).</summary>
    public ushort Format { get; }

    public ReadOnlyMemory<byte> Payload => _buffer.AsMemory(0, Length);

    internal long Segment { get; }

    internal long Offset { get; }

    internal long NextOffset { get; }

    /// <summary>Hands the pooled buffer over (to a <c>SinkBatch</c>); the record keeps its position for <c>Acknowledge</c>.</summary>
    public byte[] DetachBuffer()
    {
        var buffer = _buffer;
        _buffer = [];
        return buffer;
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
