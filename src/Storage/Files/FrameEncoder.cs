using System.Buffers;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Output;
using Pipeline.Storage.Sinks;

namespace Pipeline.Storage.Files;

/// <summary>
/// Encodes batches as NDJSON and compresses them into one self-contained LZ4 frame. Every write to
/// a file is whole frames, so a file is readable by <c>lz4cat</c> at any moment, even mid-roll or
/// after a crash. Not thread-safe: the runner keeps one per parallel encoder.
/// </summary>
internal sealed class FrameEncoder : IBatchEncoder
{
    /// <summary>The format tag of a files frame.</summary>
    public const ushort Format = 1;

    private readonly LZ4EncoderSettings _settings = new()
    {
        CompressionLevel = LZ4Level.L00_FAST,
        BlockSize = 64 * 1024,
        ChainBlocks = false, // independent blocks: faster to compress, and each frame is self-contained anyway
        ContentChecksum = true,
    };

    private readonly EventJsonWriter _json = new();
    private readonly PooledBufferWriter _text = new(512 * 1024);
    private readonly PooledBufferWriter _frame = new(256 * 1024);
    private int _events;

    public int PendingEvents => _events;

    public long PendingBytes => _text.WrittenCount;

    public void Append(EventBatch batch)
    {
        var events = batch.Events;
        for (var i = 0; i < events.Length; i++)
        {
            _json.Write(batch, ref events[i], _text);
        }

        _events += events.Length;
    }

    public SinkBatch? Seal()
    {
        if (_events == 0)
        {
            return null;
        }

        var (buffer, length) = Compress();
        var sealedBatch = new SinkBatch(buffer, length, _events, Format);
        _events = 0;
        return sealedBatch;
    }

    /// <summary>One batch into one frame (the benchmarks' entry point).</summary>
    public EncodedFrame Encode(EventBatch batch)
    {
        Append(batch);
        var events = _events;
        var (buffer, length) = Compress();
        _events = 0;
        return new EncodedFrame(buffer, length, events);
    }

    public void Dispose()
    {
        _text.Dispose();
        _frame.Dispose();
    }

    private (byte[] Buffer, int Length) Compress()
    {
        _frame.Clear();
        LZ4Frame.Encode(_text.WrittenSpan, _frame, _settings);
        _text.Clear();
        var buffer = ArrayPool<byte>.Shared.Rent(_frame.WrittenCount);
        _frame.WrittenSpan.CopyTo(buffer);
        return (buffer, _frame.WrittenCount);
    }
}
