namespace Pipeline.Client.Internal;

/// <summary>
/// The events that did not fit in memory, as files in order of seq. Written when a chunk of them is full, read
/// back (and deleted) when acknowledgements free memory. Plain NDJSON, so a person can read a spill with <c>cat</c>.
/// </summary>
internal sealed class SpillQueue : IDisposable
{
    private readonly Queue<SpilledChunk> _files = new();
    private readonly string _directory;
    private readonly string _prefix;
    private long _next;

    public SpillQueue(string directory, string bootId)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);
        // One boot's files are its own: two clients may share a directory.
        _prefix = "pipeline-" + string.Concat(bootId.Where(char.IsAsciiLetterOrDigit));
    }

    public bool IsEmpty => _files.Count == 0;

    public int Files => _files.Count;

    public long Bytes { get; private set; }

    public long Events { get; private set; }

    public SpilledChunk Peek() => _files.Peek();

    /// <summary>Writes the chunk's live events to a new file; the caller releases the chunk.</summary>
    public void Write(BufferChunk chunk)
    {
        var path = Path.Combine(_directory, $"{_prefix}-{_next++:D10}.ndjson");
        var bytes = chunk.LiveBytes;
        using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1))
        {
            file.Write(bytes);
        }

        _files.Enqueue(new SpilledChunk(path, chunk.FirstSeq + chunk.Head, chunk.LiveCount, bytes.Length));
        Bytes += bytes.Length;
        Events += chunk.LiveCount;
    }

    /// <summary>Reads the oldest file into a chunk of its own and deletes the file.</summary>
    public BufferChunk Read()
    {
        var spilled = _files.Dequeue();
        var bytes = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(spilled.Bytes, 1));
        using (var file = new FileStream(spilled.Path, FileMode.Open, FileAccess.Read, FileShare.None, bufferSize: 1))
        {
            file.ReadExactly(bytes, 0, spilled.Bytes);
        }

        File.Delete(spilled.Path);
        Bytes -= spilled.Bytes;
        Events -= spilled.Count;
        return new BufferChunk(spilled.FirstSeq, bytes, spilled.Bytes);
    }

    public void Dispose()
    {
        while (_files.TryDequeue(out var spilled))
        {
            try
            {
                File.Delete(spilled.Path);
            }
            catch (IOException)
            {
                // Left for whoever cleans the directory; the events were given up with the client.
            }
        }

        Bytes = 0;
        Events = 0;
    }
}
