using System.Buffers;

namespace Pipeline.Storage.Sinks;

/// <summary>
/// One encoded unit a sink sends and the spool keeps: a payload in a pooled buffer, the events it
/// holds and its format (a sink-defined tag, written to the spool with it). Returned to the pool on dispose.
/// </summary>
public sealed class SinkBatch : IDisposable
{
    private byte[] _buffer;

    /// <summary>Takes ownership of <paramref name="pooledBuffer"/> (from <see cref="ArrayPool{T}.Shared"/>).</summary>
    public SinkBatch(byte[] pooledBuffer, int length, int events, ushort format)
    {
        _buffer = pooledBuffer;
        Length = length;
        Events = events;
        Format = format;
    }

    public int Length { get; private set; }

    /// <summary>Events the payload holds (what the metrics count).</summary>
    public int Events { get; private set; }

    public ushort Format { get; }

    public ReadOnlyMemory<byte> Payload => _buffer.AsMemory(0, Length);

    /// <summary>When the first event was appended (<see cref="TimeProvider.GetTimestamp"/>); set by the runner.</summary>
    public long CreatedTimestamp { get; set; }

    /// <summary>
    /// The numbered lines of acknowledged robots this batch carries (an <see cref="IAcknowledgingSink"/>'s batches only):
    /// the sink takes it when the write succeeded; one left here when the batch is done was lost (the runner resolves it).
    /// </summary>
    public Pipeline.Blocks.Acks.AckToken? Ack { get; set; }

    /// <summary>The sink's own bookkeeping between attempts of this batch (for example, how often each message came back). Not spooled.</summary>
    public object? State { get; set; }

    /// <summary>
    /// Replaces the payload with what is still unacknowledged after partial progress (the runner counts
    /// the difference in events as written). Takes ownership of <paramref name="pooledBuffer"/> and returns the old one.
    /// </summary>
    public void Replace(byte[] pooledBuffer, int length, int events)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(events, Events);
        var old = _buffer;
        _buffer = pooledBuffer;
        Length = length;
        Events = events;
        if (old.Length > 0 && !ReferenceEquals(old, pooledBuffer))
        {
            ArrayPool<byte>.Shared.Return(old);
        }
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        Length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
