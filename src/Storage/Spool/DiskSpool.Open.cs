using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Pipeline.Storage.Spool.Internal;

namespace Pipeline.Storage.Spool;

public sealed partial class DiskSpool
{
    /// <summary>Finds the segments and the cursor, drops consumed segments, counts what is pending, cuts a torn tail.</summary>
    private void Open()
    {
        var ids = new List<long>();
        foreach (var path in Directory.GetFiles(_directory, "*" + Extension))
        {
            if (long.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                ids.Add(id);
            }
        }

        ids.Sort();
        var cursor = LoadCursor();
        _readSegment = cursor?.Segment ?? (ids.Count > 0 ? ids[0] : 1);
        _readOffset = cursor?.Offset ?? 0;
        foreach (var id in ids)
        {
            if (id < _readSegment)
            {
                File.Delete(SegmentPath(id)); // consumed before the last stop
            }
        }

        ids.RemoveAll(id => id < _readSegment);
        if (ids.Count > 0 && ids[0] != _readSegment)
        {
            _readSegment = ids[0];
            _readOffset = 0;
        }

        for (var i = 0; i < ids.Count; i++)
        {
            var start = ids[i] == _readSegment ? _readOffset : 0;
            var segment = Scan(ids[i], start, last: i == ids.Count - 1);
            _segments[ids[i]] = segment;
            _diskBytes += segment.Length;
            _records += segment.Records;
            _rows += segment.Rows;
        }

        _writeSegment = ids.Count > 0 ? ids[^1] : _readSegment;
        if (!_segments.ContainsKey(_writeSegment))
        {
            _segments[_writeSegment] = new SegmentInfo(0);
        }

        if (_readOffset > _segments[_readSegment].Length)
        {
            _readOffset = _segments[_readSegment].Length;
        }

        SaveCursor();
        if (_records > 0)
        {
            SpoolLog.Recovered(_logger, _directory, _records, _rows, _diskBytes);
        }
    }

    /// <summary>Walks a segment's record headers from <paramref name="start"/>; the last segment's records are checksummed too.</summary>
    private SegmentInfo Scan(long id, long start, bool last)
    {
        using var file = new FileStream(SegmentPath(id), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        var length = file.Length;
        var info = new SegmentInfo(length);
        var offset = start;
        Span<byte> header = stackalloc byte[HeaderSize];
        while (offset + HeaderSize <= length)
        {
            if (!ReadExactly(file, header, offset) || BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic)
            {
                break;
            }

            var payload = (long)BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            if (offset + HeaderSize + payload > length || (last && !Checksummed(file, header, offset, (int)payload)))
            {
                break;
            }

            info.Records++;
            info.Rows += BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
            offset += HeaderSize + payload;
        }

        if (offset < length)
        {
            if (last)
            {
                SpoolLog.TornTail(_logger, _directory, SegmentName(id), offset);
                file.SetLength(offset);
                info.Length = offset;
            }
            else
            {
                // Kept on disk for inspection; reading stops there (TryRead logs and skips).
                SpoolLog.Corrupt(_logger, _directory, SegmentName(id), offset);
                info.Length = offset;
            }
        }

        return info;
    }

    private static bool Checksummed(FileStream file, ReadOnlySpan<byte> header, long offset, int length)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            return ReadExactly(file, buffer.AsSpan(0, length), offset + HeaderSize) &&
                   Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Seed, header[..16]), buffer.AsSpan(0, length))) ==
                   BinaryPrimitives.ReadUInt32LittleEndian(header[16..]);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
