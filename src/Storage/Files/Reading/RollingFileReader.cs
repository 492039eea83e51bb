using System.Buffers;
using System.Buffers.Binary;
using K4os.Compression.LZ4;
using K4os.Hash.xxHash;
using Microsoft.Win32.SafeHandles;

namespace Pipeline.Storage.Files.Reading;

/// <summary>
/// Reads the LZ4 frames of one rolling file without a stream decoder: <see cref="Index"/> walks the frame and block
/// headers (no decompression) to find where each whole frame lies, so frames can be read in any order — the viewers
/// read newest first — and <see cref="Decode"/> decompresses one frame's NDJSON into a reused buffer, checking its
/// content checksum. A file the service is writing right now ends in a frame cut short: that tail is reported as
/// <see cref="FileTail.Incomplete"/> and left out, never an error. Opened with sharing, so the writer is not disturbed.
/// Not thread-safe: one per reader thread; buffers are pooled and reused from frame to frame.
/// </summary>
public sealed class RollingFileReader : IDisposable
{
    /// <summary>The rolling files' names: <c>pipeline-&lt;UTC time&gt;-&lt;n&gt;.ndjson.lz4</c>, which sort by time.</summary>
    public const string Pattern = "pipeline-*.ndjson.lz4";

    private const uint FrameMagic = 0x184D2204;
    private const uint SkippableMagicMask = 0xFFFFFFF0;
    private const uint SkippableMagic = 0x184D2A50;
    private const int MaxHeader = 4 + 2 + 8 + 4 + 1;

    private readonly SafeFileHandle _handle;
    private byte[] _compressed = ArrayPool<byte>.Shared.Rent(256 * 1024);
    private byte[] _text = ArrayPool<byte>.Shared.Rent(1024 * 1024);

    public RollingFileReader(string path)
    {
        Path = path;
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
        Length = RandomAccess.GetLength(_handle);
    }

    public string Path { get; }

    /// <summary>The file's length when it was opened; frames appended later are not seen.</summary>
    public long Length { get; }

    /// <summary>The rolling files of <paramref name="directory"/>, oldest first (names sort by time); none when it does not exist.</summary>
    public static string[] List(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var files = Directory.GetFiles(directory, Pattern);
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    /// <summary>
    /// Adds the whole frames from <paramref name="offset"/> on to <paramref name="frames"/>, in file order, and says how
    /// the file ends; <paramref name="end"/> is where the last whole frame ends. Skippable frames are stepped over.
    /// </summary>
    public FileTail Index(List<FrameSpan> frames, out long end, long offset = 0)
    {
        Span<byte> header = stackalloc byte[MaxHeader];
        end = offset;
        var position = offset;
        while (position < Length)
        {
            if (!ReadExactly(header[..4], position))
            {
                return FileTail.Incomplete;
            }

            var magic = BinaryPrimitives.ReadUInt32LittleEndian(header);
            if ((magic & SkippableMagicMask) == SkippableMagic)
            {
                if (!ReadExactly(header[..8], position))
                {
                    return FileTail.Incomplete;
                }

                position += 8 + BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
                if (position > Length)
                {
                    return FileTail.Incomplete;
                }

                end = position;
                continue;
            }

            if (magic != FrameMagic)
            {
                return FileTail.Corrupt;
            }

            var tail = Walk(position, header, out var next, out _);
            if (tail != FileTail.Complete)
            {
                return tail;
            }

            if (next - position > int.MaxValue)
            {
                return FileTail.Corrupt;
            }

            frames.Add(new FrameSpan(position, (int)(next - position)));
            position = next;
            end = position;
        }

        return FileTail.Complete;
    }

    /// <summary>
    /// The NDJSON text of a frame found by <see cref="Index"/>, valid until the next call; throws
    /// <see cref="InvalidDataException"/> when the frame does not decompress or fails its checksum.
    /// </summary>
    public ReadOnlySpan<byte> Decode(FrameSpan frame)
    {
        try
        {
            return DecodeFrame(frame);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new InvalidDataException("a block runs past the end of its frame");
        }
    }

    private ReadOnlySpan<byte> DecodeFrame(FrameSpan frame)
    {
        if (_compressed.Length < frame.Length)
        {
            ArrayPool<byte>.Shared.Return(_compressed);
            _compressed = ArrayPool<byte>.Shared.Rent(frame.Length);
        }

        var bytes = _compressed.AsSpan(0, frame.Length);
        if (RandomAccess.Read(_handle, bytes, frame.Offset) != frame.Length)
        {
            throw new InvalidDataException("the frame ends past the end of the file");
        }

        var flags = bytes[4];
        var independent = (flags & 0x20) != 0;
        var blockChecksum = (flags & 0x10) != 0;
        var contentSize = (flags & 0x08) != 0;
        var contentChecksum = (flags & 0x04) != 0;
        var maxBlock = BlockMaxSize(bytes[5]);
        var p = 4 + 2 + (contentSize ? 8 : 0) + ((flags & 0x01) != 0 ? 4 : 0) + 1;
        var n = 0;
        while (true)
        {
            var word = BinaryPrimitives.ReadUInt32LittleEndian(bytes[p..]);
            p += 4;
            if (word == 0)
            {
                break;
            }

            var size = (int)(word & 0x7FFFFFFF);
            var block = bytes.Slice(p, size);
            p += size + (blockChecksum ? 4 : 0);
            EnsureText(n + maxBlock);
            if ((word & 0x80000000) != 0)
            {
                block.CopyTo(_text.AsSpan(n));
                n += size;
                continue;
            }

            // Linked blocks (lz4 -BD) refer back into the text before them: up to 64 KiB of it is their dictionary.
            var decoded = independent
                ? LZ4Codec.Decode(block, _text.AsSpan(n, maxBlock))
                : LZ4Codec.Decode(block, _text.AsSpan(n, maxBlock), _text.AsSpan(Math.Max(0, n - 65536), Math.Min(n, 65536)));
            if (decoded < 0)
            {
                throw new InvalidDataException("a block does not decompress");
            }

            n += decoded;
        }

        var text = _text.AsSpan(0, n);
        if (contentChecksum && XXH32.DigestOf(text) != BinaryPrimitives.ReadUInt32LittleEndian(bytes[p..]))
        {
            throw new InvalidDataException("the content checksum does not match");
        }

        return text;
    }

    public void Dispose()
    {
        _handle.Dispose();
        ArrayPool<byte>.Shared.Return(_compressed);
        ArrayPool<byte>.Shared.Return(_text);
        _compressed = [];
        _text = [];
    }

    /// <summary>Steps over one frame's header and blocks, reading only their sizes.</summary>
    private FileTail Walk(long start, Span<byte> header, out long next, out int maxBlock)
    {
        next = start;
        maxBlock = 0;
        if (!ReadExactly(header[..7], start))
        {
            return FileTail.Incomplete;
        }

        var flags = header[4];
        if ((flags >> 6) != 1 || (flags & 0x02) != 0 || (header[5] & 0x8F) != 0 || (header[5] >> 4) < 4)
        {
            return FileTail.Corrupt; // another frame version, reserved bits set, or a block size LZ4 does not have
        }

        maxBlock = BlockMaxSize(header[5]);
        var position = start + 4 + 2 + ((flags & 0x08) != 0 ? 8 : 0) + ((flags & 0x01) != 0 ? 4 : 0) + 1;
        var blockChecksum = (flags & 0x10) != 0 ? 4 : 0;
        Span<byte> word = header[..4];
        while (true)
        {
            if (!ReadExactly(word, position))
            {
                return FileTail.Incomplete;
            }

            var value = BinaryPrimitives.ReadUInt32LittleEndian(word);
            position += 4;
            if (value == 0)
            {
                break;
            }

            var size = value & 0x7FFFFFFF;
            if (size > maxBlock)
            {
                return FileTail.Corrupt;
            }

            position += size + blockChecksum;
        }

        position += (flags & 0x04) != 0 ? 4 : 0;
        if (position > Length)
        {
            return FileTail.Incomplete;
        }

        next = position;
        return FileTail.Complete;
    }

    private static int BlockMaxSize(byte descriptor) => (descriptor >> 4) switch
    {
        4 => 64 * 1024,
        5 => 256 * 1024,
        6 => 1024 * 1024,
        _ => 4 * 1024 * 1024,
    };

    private bool ReadExactly(Span<byte> buffer, long offset)
    {
        if (offset + buffer.Length > Length)
        {
            return false;
        }

        return RandomAccess.Read(_handle, buffer, offset) == buffer.Length;
    }

    private void EnsureText(int size)
    {
        if (_text.Length >= size)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(size, _text.Length * 2));
        _text.AsSpan().CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_text);
        _text = bigger;
    }
}
