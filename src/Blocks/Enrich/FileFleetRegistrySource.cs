using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Metrics;

namespace Pipeline.Blocks.Enrich;

/// <summary>
/// A registry read from a file and reloaded when it changes (file-system notifications, plus a
/// timestamp poll because notifications are lost on some file systems and editors replace files).
/// A file that fails to load keeps the previous snapshot and is reported, never half-applied.
/// </summary>
public sealed class FileFleetRegistrySource : IFleetRegistrySource, IDisposable
{
    private readonly string _path;
    private readonly ILogger _logger;
    private readonly ComponentMetrics _metrics;
    private readonly FileSystemWatcher? _watcher;
    private readonly ITimer _poll;
    private readonly Lock _reloadLock = new();
    private FleetRegistry _current;
    private DateTime _loadedWriteTime;
    private long _loadedLength;

    /// <summary>Loads the file now; a missing or invalid file at start is an error the caller reports.</summary>
    public FileFleetRegistrySource(string path, TimeSpan pollInterval, TimeProvider time, PipelineMetrics metrics, ILogger logger)
    {
        _path = Path.GetFullPath(path);
        _logger = logger;
        _metrics = metrics.ForComponent("enrich");
        (_loadedWriteTime, _loadedLength) = Stamp(_path);
        _current = FleetRegistryLoader.Load(_path);
        EnrichLog.RegistryLoaded(_logger, _path, _current.Count);

        var directory = Path.GetDirectoryName(_path)!;
        try
        {
            _watcher = new FileSystemWatcher(directory, Path.GetFileName(_path))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size,
            };
            _watcher.Changed += (_, _) => Reload();
            _watcher.Created += (_, _) => Reload();
            _watcher.Renamed += (_, _) => Reload();
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException)
        {
            // inotify limits: the poll below still notices changes.
            _watcher = null;
        }

        _poll = time.CreateTimer(_ => Reload(), null, pollInterval, pollInterval);
    }

    public FleetRegistry Current => Volatile.Read(ref _current);

    /// <summary>Reloads when the file's timestamp changed. Safe to call from any thread.</summary>
    public void Reload()
    {
        lock (_reloadLock)
        {
            try
            {
                // Time and length: an in-place save can land within one timestamp tick.
                var (writeTime, length) = Stamp(_path);
                if (writeTime == _loadedWriteTime && length == _loadedLength)
                {
                    return;
                }

                var registry = FleetRegistryLoader.Load(_path);
                (_loadedWriteTime, _loadedLength) = (writeTime, length);
                Volatile.Write(ref _current, registry);
                EnrichLog.RegistryLoaded(_logger, _path, registry.Count);
            }
            catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException or System.Text.Json.JsonException)
            {
                _metrics.Error("registry_reload");
                EnrichLog.RegistryReloadFailed(_logger, _path, ex.Message);
            }
        }
    }

    private static (DateTime WriteTime, long Length) Stamp(string path)
    {
        var info = new FileInfo(path);
        return (info.LastWriteTimeUtc, info.Exists ? info.Length : -1);
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _poll.Dispose();
    }
}
