namespace Pipeline.Storage.Files.Reading;

/// <summary>How a rolling file ended when its frames were indexed.</summary>
public enum FileTail
{
    /// <summary>At a frame boundary: every byte belongs to a whole frame.</summary>
    Complete,

    /// <summary>The last frame is cut short at the end of the file: being written right now, or a crash. Left out, not an error.</summary>
    Incomplete,

    /// <summary>Bytes that are not an LZ4 frame (or a frame this reader does not know): the frames before them are readable.</summary>
    Corrupt,
}
