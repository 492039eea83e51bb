using System.Buffers;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Output;
using Pipeline.Storage.Sinks;

namespace Pipeline.Storage.Files;

/// <summary>
/// Encodes a batch as NDJSON and compresses it into one self-contained LZ4 frame. Every write to a
/// file is whole frames, so a file is readable by <c>lz4cat</c> at any moment, even mid-roll or after
/// a crash. The frame is the batch's shared one (<see cref="EventBatch.GetOrEncodeFrame"/>): RabbitMQ's
/// Batch mode sends the same bytes. Not thread-safe: the runner keeps one per parallel encoder.
/// </summary>
internal sealed class FrameEncoder : IBatchEncoder, IBatchFrameEncoder
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

    private readonly PooledBufferWriter _pending = new(64 * 1024);

    public int PendingEvents => _events;

    public long PendingBytes => _pending.WrittenCount;

    /// <summary>
    /// Takes the batch's frame — shared with any other sink that writes the same bytes (RabbitMQ in
    /// Batch mode), so NDJSON and LZ4 are done once per batch — and appends it to the pending frames.
    /// </summary>
    public void Append(EventBatch batch)
    {
        _pending.Write(batch.GetOrEncodeFrame(this));
        _events += batch.Count;
    }

    public SinkBatch? Seal()
    {
        if (_events == 0)
        {
            return null;
        }

        var buffer = _pending.Detach(out var length);
        var sealedBatch = new SinkBatch(buffer, length, _events, Format);
        _events = 0;
        return sealedBatch;
    }

    public byte[] EncodeFrame(EventBatch batch, out int length)
    {
        _text.Clear();
        var events = batch.Events;
        for (var i = 0; i < events.Length; i++)
        {
            _json.Write(batch, ref events[i], _text);
        }

        (var buffer, length) = Compress();
        return buffer;
    }

    /// <summary>One batch into one frame, not shared (the benchmarks' entry point).</summary>
    public EncodedFrame Encode(EventBatch batch)
    {
        var buffer = EncodeFrame(batch, out var length);
        return new EncodedFrame(buffer, length, batch.Count);
    }

    public void Dispose()
    {
        _text.Dispose();
        _frame.Dispose();
        _pending.Dispose();
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
