using System.Globalization;

namespace Pipeline.Storage.Rolling;

/// <summary>
/// Appends whole records (LZ4 frames, NDJSON lines) to <c>&lt;prefix&gt;-&lt;UTC time&gt;-&lt;n&gt;&lt;extension&gt;</c>
/// files (names sort by time), rolls by size and age, and applies retention when it rolls. Only I/O:
/// it throws, the caller retries. Shared by the rolling files and the dead letters.
/// </summary>
internal sealed class RollingFileWriter : IDisposable
{
    private readonly string _directory;
    private readonly RollingFileOptions _options;
    private readonly TimeProvider _time;
    private FileStream? _file;
    private DateTimeOffset _openedAt;
    private int _sequence;

    public RollingFileWriter(string directory, Files.FilesSinkOptions options, TimeProvider time)
        : this(directory, options.ToRollingOptions(), time)
    {
    }

    public RollingFileWriter(string directory, RollingFileOptions options, TimeProvider time)
    {
        _directory = directory;
        _options = options;
        _time = time;
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not fatal at start: the first write fails the same way and the sink retries and reports it.
        }
    }

    public string? CurrentPath => _file?.Name;

    /// <summary>The open file's handle (for an fsync outside the writer's lock), or null.</summary>
    public Microsoft.Win32.SafeHandles.SafeFileHandle? CurrentHandle => _file?.SafeFileHandle;

    /// <summary>The open file's length: where the next frame goes.</summary>
    public long CurrentLength => _file?.Length ?? 0;

    /// <summary>Writes the bytes straight to the OS (no user-space buffer), rolling first when due.</summary>
    public void Write(ReadOnlySpan<byte> frame)
    {
        var now = _time.GetUtcNow();
        if (_file is not null && (_file.Length >= _options.MaxFileBytes || (_options.MaxFileAge != TimeSpan.MaxValue && now - _openedAt >= _options.MaxFileAge)))
        {
            Close();
        }

        if (_file is null)
        {
            Open(now);
        }

        var before = _file!.Length;
        try
        {
            _file.Write(frame);
        }
        catch (IOException)
        {
            // Do not leave half a frame behind (a full disk): cut the file back so it stays readable.
            try
            {
                _file.SetLength(before);
            }
            catch (IOException)
            {
                // The file is unusable; the caller closes it and retries in a new one.
            }

            throw;
        }
    }

    /// <summary>Asks the OS to put written bytes on disk (on roll and shutdown).</summary>
    public void Flush() => _file?.Flush(flushToDisk: true);

    public void Close()
    {
        if (_file is null)
        {
            return;
        }

        var file = _file;
        _file = null;
        try
        {
            file.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            // Closing after a failed write (a full or broken disk): the caller already knows; do not throw from cleanup.
        }
        finally
        {
            try
            {
                file.Dispose();
            }
            catch (IOException)
            {
            }
        }
    }

    public void Dispose() => Close();

    private void Open(DateTimeOffset now)
    {
        Directory.CreateDirectory(_directory);
        var stamp = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss.fff'Z'", CultureInfo.InvariantCulture);
        while (true)
        {
            var path = Path.Combine(_directory, $"{_options.Prefix}-{stamp}-{_sequence++:D4}{_options.Extension}");
            try
            {
                _file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0);
                break;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Same millisecond as an existing file: take the next sequence number.
            }
        }

        _openedAt = now;
        ApplyRetention(now);
    }

    private void ApplyRetention(DateTimeOffset now)
    {
        var files = Directory.GetFiles(_directory, _options.Prefix + "-*" + _options.Extension);
        Array.Sort(files, StringComparer.Ordinal);
        var current = _file?.Name;
        var excess = _options.RetainFiles > 0 ? files.Length - _options.RetainFiles : 0;
        foreach (var path in files)
        {
            if (path == current)
            {
                continue;
            }

            var tooOld = _options.RetainAge > TimeSpan.Zero && now - File.GetLastWriteTimeUtc(path) > _options.RetainAge;
            if (excess > 0 || tooOld)
            {
                File.Delete(path);
                excess--;
            }
        }
    }
}
