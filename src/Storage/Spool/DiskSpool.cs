using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Pipeline.Storage.Spool.Internal;

namespace Pipeline.Storage.Spool;

/// <summary>
/// A sink's disk spool: records (an opaque payload, its row count and format) appended to segment
/// files and taken back oldest first. A record leaves only when <see cref="Acknowledge"/> is called
/// for it, so what the destination never confirmed survives a crash or a restart and is replayed.
/// </summary>
/// <remarks>
/// Files: <c>NNNNNNNNNNNNNNNNNNNN.spool</c> segments, append-only, rolled at
/// <see cref="DiskSpoolOptions.SegmentBytes"/>; <c>cursor</c> holds where reading resumes (segment,
/// offset, CRC). A record is a 20-byte header — magic "SPL1", payload length, rows (UInt32 LE),
/// format (UInt16 LE), reserved, CRC-32C of the header's first 16 bytes and the payload — then the
/// payload. On open, a torn last record (a crash mid-append) is cut off; a record that fails its
/// checksum when read is skipped with the rest of its segment, logged and counted in
/// <see cref="CorruptRecords"/>. Thread-safe: one appender and one reader may work at once.
/// </remarks>
public sealed partial class DiskSpool : IDisposable
{
    public const int HeaderSize = 20;
    private const uint Magic = 0x314C5053; // "SPL1" little-endian
    private const string Extension = ".spool";
    private readonly string _directory;
    private readonly DiskSpoolOptions _options;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly SortedDictionary<long, SegmentInfo> _segments = [];
    private readonly string _cursorPath;
    private FileStream? _writer;
    private long _writeSegment;
    private FileStream? _reader;
    private long _readerSegment = -1;
    private long _readSegment;
    private long _readOffset;
    private long _records;
    private long _rows;
    private long _diskBytes;
    private long _corrupt;

    public DiskSpool(string directory, DiskSpoolOptions options, ILogger logger)
    {
        _directory = Path.GetFullPath(directory);
        _options = options;
        _logger = logger;
        _cursorPath = Path.Combine(_directory, "cursor");
        Directory.CreateDirectory(_directory);
        Open();
    }

    public string DirectoryPath => _directory;

    public bool IsEmpty => PendingRecords == 0;

    /// <summary>Records not yet acknowledged.</summary>
    public long PendingRecords
    {
        get
        {
            lock (_gate)
            {
                return _records;
            }
        }
    }

    /// <summary>Rows of the records not yet acknowledged.</summary>
    public long PendingRows
    {
        get
        {
            lock (_gate)
            {
                return _rows;
            }
        }
    }

    /// <summary>Bytes of segment files on disk (what <see cref="DiskSpoolOptions.MaxBytes"/> bounds).</summary>
    public long DiskBytes
    {
        get
        {
            lock (_gate)
            {
                return _diskBytes;
            }
        }
    }

    /// <summary>Records skipped because they failed their checksum.</summary>
    public long CorruptRecords => Interlocked.Read(ref _corrupt);

    /// <summary>
    /// Appends a record, on disk (fsync'ed when <see cref="DiskSpoolOptions.Fsync"/>) before it returns.
    /// Throws <see cref="SpoolFullException"/> past <see cref="DiskSpoolOptions.MaxBytes"/>, or the
    /// <see cref="IOException"/> of a failed write (the segment is cut back to its last whole record).
    /// </summary>
    public void Append(ushort format, int rows, ReadOnlySpan<byte> payload)
    {
        lock (_gate)
        {
            var size = HeaderSize + (long)payload.Length;
            if (_diskBytes + size > _options.MaxBytes)
            {
                throw new SpoolFullException(
                    $"The spool {_directory} is full: {_diskBytes:N0} bytes on disk, and {size:N0} more would pass its limit of {_options.MaxBytes:N0}.");
            }

            var writer = WriterFor(size);
            var segment = _segments[_writeSegment];
            Span<byte> header = stackalloc byte[HeaderSize];
            BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
            BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)payload.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(header[8..], (uint)rows);
            BinaryPrimitives.WriteUInt16LittleEndian(header[12..], format);
            BinaryPrimitives.WriteUInt16LittleEndian(header[14..], 0);
            var crc = Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Seed, header[..16]), payload));
            BinaryPrimitives.WriteUInt32LittleEndian(header[16..], crc);
            try
            {
                writer.Write(header);
                writer.Write(payload);
                writer.Flush(flushToDisk: _options.Fsync);
            }
            catch (IOException)
            {
                CutBack(writer, segment.Length);
                throw;
            }

            segment.Length += size;
            segment.Records++;
            segment.Rows += rows;
            _diskBytes += size;
            _records++;
            _rows += rows;
        }
    }

    /// <summary>Reads the oldest record not yet acknowledged; false when there is none.</summary>
    public bool TryPeek(out SpoolRecord? record)
    {
        lock (_gate)
        {
            while (_records > 0)
            {
                if (!_segments.TryGetValue(_readSegment, out var segment))
                {
                    MoveToNextSegment();
                    continue;
                }

                if (_readOffset >= segment.Length)
                {
                    if (_readSegment == _writeSegment)
                    {
                        break;
                    }

                    DropReadSegment();
                    continue;
                }

                if (TryRead(segment, out record))
                {
                    return true;
                }
            }

            record = null;
            return false;
        }
    }

    /// <summary>Removes <paramref name="record"/>, which must be the one <see cref="TryPeek"/> returned last.</summary>
    public void Acknowledge(SpoolRecord record)
    {
        lock (_gate)
        {
            if (record.Segment != _readSegment || record.Offset != _readOffset)
            {
                throw new InvalidOperationException("Only the oldest spool record can be acknowledged.");
            }

            var segment = _segments[_readSegment];
            _readOffset = record.NextOffset;
            segment.Records--;
            segment.Rows -= record.Rows;
            _records--;
            _rows -= record.Rows;
            if (_records == 0)
            {
                // Everything is out: start a fresh segment rather than keep a consumed file.
                CloseStreams();
                foreach (var id in _segments.Keys.ToList())
                {
                    DeleteSegment(id);
                }

                _writeSegment++;
                _readSegment = _writeSegment;
                _readOffset = 0;
                _segments[_writeSegment] = new SegmentInfo(0);
            }
            else if (_readOffset >= segment.Length && _readSegment != _writeSegment)
            {
                DropReadSegment();
                return;
            }

            SaveCursor();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            CloseStreams();
        }
    }

    private bool TryRead(SegmentInfo segment, out SpoolRecord? record)
    {
        record = null;
        var reader = ReaderFor(_readSegment);
        Span<byte> header = stackalloc byte[HeaderSize];
        var length = 0;
        var ok = _readOffset + HeaderSize <= segment.Length && ReadExactly(reader, header, _readOffset) &&
                 BinaryPrimitives.ReadUInt32LittleEndian(header) == Magic;
        if (ok)
        {
            length = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            ok = length >= 0 && _readOffset + HeaderSize + length <= segment.Length;
        }

        byte[]? buffer = null;
        if (ok)
        {
            buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
            ok = ReadExactly(reader, buffer.AsSpan(0, length), _readOffset + HeaderSize) &&
                 Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Seed, header[..16]), buffer.AsSpan(0, length))) ==
                 BinaryPrimitives.ReadUInt32LittleEndian(header[16..]);
        }

        if (!ok)
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            SpoolLog.Corrupt(_logger, _directory, SegmentName(_readSegment), _readOffset);
            Interlocked.Add(ref _corrupt, segment.Records);
            _records -= segment.Records;
            _rows -= segment.Rows;
            segment.Records = 0;
            segment.Rows = 0;
            _readOffset = segment.Length;
            return false;
        }

        record = new SpoolRecord(buffer!, length, (int)BinaryPrimitives.ReadUInt32LittleEndian(header[8..]),
            BinaryPrimitives.ReadUInt16LittleEndian(header[12..]), _readSegment, _readOffset, _readOffset + HeaderSize + length);
        return true;
    }

    private FileStream WriterFor(long size)
    {
        var segment = _segments[_writeSegment];
        if (_writer is not null && segment.Length > 0 && segment.Length + size > _options.SegmentBytes)
        {
            _writer.Dispose();
            _writer = null;
            _writeSegment++;
            _segments[_writeSegment] = new SegmentInfo(0);
        }

        if (_writer is null)
        {
            _writer = new FileStream(SegmentPath(_writeSegment), FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            _writer.Position = _segments[_writeSegment].Length;
        }

        return _writer;
    }

    private FileStream ReaderFor(long segment)
    {
        if (_reader is null || _readerSegment != segment)
        {
            _reader?.Dispose();
            _reader = new FileStream(SegmentPath(segment), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            _readerSegment = segment;
        }

        return _reader;
    }

    private static bool ReadExactly(FileStream stream, Span<byte> destination, long offset)
    {
        while (destination.Length > 0)
        {
            var read = RandomAccess.Read(stream.SafeFileHandle, destination, offset);
            if (read <= 0)
            {
                return false;
            }

            destination = destination[read..];
            offset += read;
        }

        return true;
    }

    private void DropReadSegment()
    {
        DeleteSegment(_readSegment);
        MoveToNextSegment();
    }

    private void MoveToNextSegment()
    {
        var next = _writeSegment;
        foreach (var id in _segments.Keys)
        {
            if (id > _readSegment)
            {
                next = id;
                break;
            }
        }

        _readSegment = next;
        _readOffset = 0;
        SaveCursor();
    }

    private void DeleteSegment(long id)
    {
        if (_readerSegment == id)
        {
            _reader?.Dispose();
            _reader = null;
            _readerSegment = -1;
        }

        if (_segments.Remove(id, out var segment))
        {
            _diskBytes -= segment.Length;
        }

        File.Delete(SegmentPath(id));
    }

    private void CutBack(FileStream writer, long length)
    {
        try
        {
            writer.SetLength(length);
            writer.Position = length;
        }
        catch (IOException)
        {
            // The next open cuts a torn tail anyway.
            writer.Dispose();
            _writer = null;
        }
    }

    private void CloseStreams()
    {
        _writer?.Dispose();
        _writer = null;
        _reader?.Dispose();
        _reader = null;
        _readerSegment = -1;
    }

    private string SegmentPath(long id) => Path.Combine(_directory, SegmentName(id));

    private static string SegmentName(long id) => id.ToString("D20", CultureInfo.InvariantCulture) + Extension;

    private void SaveCursor()
    {
        Span<byte> bytes = stackalloc byte[20];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, _readSegment);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[8..], _readOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[16..], Crc32C.Finish(Crc32C.Append(Crc32C.Seed, bytes[..16])));
        var temporary = _cursorPath + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            file.Write(bytes);
            file.Flush(flushToDisk: _options.Fsync);
        }

        File.Move(temporary, _cursorPath, overwrite: true);
    }

    private (long Segment, long Offset)? LoadCursor()
    {
        try
        {
            var bytes = File.ReadAllBytes(_cursorPath);
            if (bytes.Length == 20 && Crc32C.Finish(Crc32C.Append(Crc32C.Seed, bytes.AsSpan(0, 16))) == BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16)))
            {
                return (BinaryPrimitives.ReadInt64LittleEndian(bytes), BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8)));
            }
        }
        catch (FileNotFoundException)
        {
        }

        return null; // no cursor, or a damaged one: read everything again (duplicates, never loss)
    }
}
