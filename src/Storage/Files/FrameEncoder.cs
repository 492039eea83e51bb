using System.Buffers;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Output;

namespace Pipeline.Storage.Files;

/// <summary>
/// Encodes a batch as NDJSON and compresses it into one self-contained LZ4 frame. Every write to
/// a file is whole frames, so a file is readable by <c>lz4cat</c> at any moment, even mid-roll or
/// after a crash. Not thread-safe: the sink keeps one per parallel encoder.
/// </summary>
internal sealed class FrameEncoder : IDisposable
{
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

    public EncodedFrame Encode(EventBatch batch)
    {
        _text.Clear();
        var events = batch.Events;
        for (var i = 0; i < events.Length; i++)
        {
            _json.Write(batch, ref events[i], _text);
        }

        _frame.Clear();
        LZ4Frame.Encode(_text.WrittenSpan, _frame, _settings);
        var buffer = ArrayPool<byte>.Shared.Rent(_frame.WrittenCount);
        _frame.WrittenSpan.CopyTo(buffer);
        return new EncodedFrame(buffer, _frame.WrittenCount, events.Length);
    }

    public void Dispose()
    {
        _text.Dispose();
        _frame.Dispose();
    }
}
