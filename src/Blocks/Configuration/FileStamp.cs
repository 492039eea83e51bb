namespace Pipeline.Blocks.Configuration;

/// <summary>
/// What a watched file's change is told by: its last-write time and its length. Both, because an
/// in-place save can land within one file-system timestamp tick (Linux mtimes are coarse).
/// A missing file has length -1.
/// </summary>
internal readonly record struct FileStamp(DateTime WriteTimeUtc, long Length)
{
    public static FileStamp Of(string path)
    {
        var info = new FileInfo(path);
        return new FileStamp(info.LastWriteTimeUtc, info.Exists ? info.Length : -1);
    }
}
