using System.Buffers.Binary;
using K4os.Compression.LZ4;

namespace Pipeline.Storage.ClickHouse.Internal;

/// <summary>
/// ClickHouse's compressed block, what the HTTP interface takes with <c>decompress=1</c>:
/// 16 bytes CityHash128 (1.0.2) of the rest, then method 0x82 (LZ4), compressed size with this
/// 9-byte header (UInt32 LE), uncompressed size (UInt32 LE), and the LZ4 block.
/// </summary>
internal static class NativeLz4
{
    public const int ChecksumSize = 16;
    public const int HeaderSize = 9;
    private const byte MethodLz4 = 0x82;

    public static int MaxBlockLength(int rawLength) => ChecksumSize + HeaderSize + LZ4Codec.MaximumOutputSize(rawLength);

    /// <summary>Compresses <paramref name="raw"/> into one block at the start of <paramref name="destination"/>; returns its length.</summary>
    public static int WriteBlock(ReadOnlySpan<byte> raw, Span<byte> destination)
    {
        var body = destination[(ChecksumSize + HeaderSize)..];
        var compressed = LZ4Codec.Encode(raw, body, LZ4Level.L00_FAST);
        if (compressed <= 0)
        {
            throw new InvalidOperationException("LZ4 could not compress a block into its maximum output size.");
        }

        var header = destination.Slice(ChecksumSize, HeaderSize);
        header[0] = MethodLz4;
        BinaryPrimitives.WriteUInt32LittleEndian(header[1..], (uint)(compressed + HeaderSize));
        BinaryPrimitives.WriteUInt32LittleEndian(header[5..], (uint)raw.Length);
        var (low, high) = CityHash128.Hash(destination.Slice(ChecksumSize, HeaderSize + compressed));
        BinaryPrimitives.WriteUInt64LittleEndian(destination, low);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], high);
        return ChecksumSize + HeaderSize + compressed;
    }
}
