using System.Buffers;
using Pipeline.Storage.Sinks;

namespace Pipeline.Storage.ClickHouse.Internal;

/// <summary>
/// The rows of the next INSERT, in pooled buffers. With LZ4 the rows go to a 1 MiB block that is
/// compressed into the payload each time it fills, so memory stays near the compressed size.
/// </summary>
internal sealed class InsertBuffer : IDisposable
{
    /// <summary>ClickHouse's own max_compress_block_size.</summary>
    internal const int BlockSize = 1024 * 1024;
    private readonly PayloadFormat _format;
    private byte[] _output = [];
    private int _outputLength;
    private byte[] _block = [];
    private int _blockLength;

    public InsertBuffer(PayloadFormat format)
    {
        _format = format;
    }

    public int Rows { get; private set; }

    /// <summary>RowBinary bytes so far, before compression (what the byte limit counts).</summary>
    public long RawBytes { get; private set; }

    /// <summary>When the first row came, from the sink's clock; meaningful while <see cref="Rows"/> &gt; 0.</summary>
    public long FirstRowTimestamp { get; set; }

    /// <summary>Room for one row of at most <paramref name="maxLength"/> bytes; then call <see cref="EndRow"/>.</summary>
    public Span<byte> GetRowSpan(int maxLength)
    {
        if (_format != PayloadFormat.RowBinaryLz4)
        {
            Ensure(ref _output, _outputLength, maxLength);
            return _output.AsSpan(_outputLength);
        }

        if (_blockLength > 0 && _blockLength + maxLength > BlockSize)
        {
            CompressBlock();
        }

        Ensure(ref _block, _blockLength, Math.Max(maxLength, BlockSize - _blockLength));
        return _block.AsSpan(_blockLength);
    }

    public void EndRow(int length)
    {
        if (_format == PayloadFormat.RowBinaryLz4)
        {
            _blockLength += length;
        }
        else
        {
            _outputLength += length;
        }

        RawBytes += length;
        Rows++;
    }

    /// <summary>Hands the payload over (the buffer is ready for the next INSERT).</summary>
    public SinkBatch Seal()
    {
        if (_blockLength > 0)
        {
            CompressBlock();
        }

        var insert = new SinkBatch(_output, _outputLength, Rows, (ushort)_format);
        _output = [];
        _outputLength = 0;
        Rows = 0;
        RawBytes = 0;
        return insert;
    }

    public void Dispose()
    {
        Return(ref _output);
        Return(ref _block);
        _outputLength = 0;
        _blockLength = 0;
    }

    private void CompressBlock()
    {
        Ensure(ref _output, _outputLength, NativeLz4.MaxBlockLength(_blockLength));
        _outputLength += NativeLz4.WriteBlock(_block.AsSpan(0, _blockLength), _output.AsSpan(_outputLength));
        _blockLength = 0;
    }

    private static void Ensure(ref byte[] buffer, int used, int more)
    {
        if (buffer.Length - used >= more)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(used + more, Math.Max(buffer.Length * 2, 64 * 1024)));
        buffer.AsSpan(0, used).CopyTo(bigger);
        Return(ref buffer);
        buffer = bigger;
    }

    private static void Return(ref byte[] buffer)
    {
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        buffer = [];
    }
}
