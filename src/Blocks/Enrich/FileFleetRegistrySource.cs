using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Configuration;
using Pipeline.Blocks.Metrics;

namespace Pipeline.Blocks.Enrich;

/// <summary>
/// A registry read from a file and reloaded when it changes (a <see cref="WatchedFile"/>: file-system
/// notifications, plus a timestamp poll because notifications are lost on some file systems and editors
/// replace files). A file that failed to load is tried again when it changes.
/// A file that fails to load keeps the previous snapshot and is reported, never half-applied.
/// </summary>
public sealed class FileFleetRegistrySource : IFleetRegistrySource, IDisposable
{
    private readonly string _path;
    private readonly ILogger _logger;
    private readonly ComponentMetrics _metrics;
    private readonly WatchedFile _watched;
    private readonly Lock _reloadLock = new();
    private FleetRegistry _current = FleetRegistry.Empty;
    private FileStamp _loaded;

    /// <summary>Loads the file now; a missing or invalid file at start is an error the caller reports.</summary>
    public FileFleetRegistrySource(string path, TimeSpan pollInterval, TimeProvider time, PipelineMetrics metrics, ILogger logger)
    {
        _path = Path.GetFullPath(path);
        _logger = logger;
        _metrics = metrics.ForComponent("enrich");
        // Watching before the first load, so a change during it is not missed; the lock holds a
        // notification's reload back until the first load is in.
        lock (_reloadLock)
        {
            _watched = new WatchedFile(_path, time, pollInterval, TimeSpan.Zero, Reload);
            try
            {
                _loaded = FileStamp.Of(_path);
                _current = FleetRegistryLoader.Load(_path);
            }
            catch
            {
                _watched.Dispose();
                throw;
            }
        }

        EnrichLog.RegistryLoaded(_logger, _path, _current.Count);
    }

    public FleetRegistry Current => Volatile.Read(ref _current);

    /// <summary>Reloads when the file's timestamp changed. Safe to call from any thread.</summary>
    public void Reload()
    {
        lock (_reloadLock)
        {
            try
            {
                var stamp = FileStamp.Of(_path);
                if (stamp == _loaded)
                {
                    return;
                }

                var registry = FleetRegistryLoader.Load(_path);
                _loaded = stamp;
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

    public void Dispose() => _watched.Dispose();
}
