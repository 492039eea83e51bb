namespace Pipeline.Blocks.Configuration;

/// <summary>
/// Watches one file and calls back when it may have changed: on file-system notifications, and on a
/// poll of its (last-write time, length) on a <see cref="TimeProvider"/> timer, because notifications
/// are lost on some file systems, editors replace files, and inotify instances run out (then the poll
/// alone carries on). A burst of signals within the debounce makes one call.
/// </summary>
/// <remarks>
/// The callback runs on a watcher or timer thread, never twice at once; it must not throw (a timer
/// thread has no one to throw to), so it catches and reports its own errors. What it does with the file
/// (compare, load, keep the old content on a bad file) is the owner's. Create it before the first load
/// of the file, so that a change during that load is not missed.
/// </remarks>
public sealed class WatchedFile : IDisposable
{
    private readonly Action _changed;
    private readonly TimeSpan _debounce;
    private readonly FileSystemWatcher? _watcher;
    private readonly ITimer? _poll;
    private readonly ITimer? _quiet;
    private readonly Lock _gate = new();
    private readonly Lock _callbackGate = new();
    private FileStamp _stamp;
    private bool _disposed;

    /// <param name="path">The file; its directory must exist for notifications (the poll works without).</param>
    /// <param name="time">Clock of the poll and the debounce (a fake one in tests).</param>
    /// <param name="pollInterval">How often the stamp is compared; <see cref="Timeout.InfiniteTimeSpan"/>: notifications only.</param>
    /// <param name="debounce">Quiet time after the last signal before the call; zero: call at once.</param>
    /// <param name="changed">What to do when the file may have changed.</param>
    public WatchedFile(string path, TimeProvider time, TimeSpan pollInterval, TimeSpan debounce, Action changed)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(changed);
        if (pollInterval <= TimeSpan.Zero && pollInterval != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(pollInterval), pollInterval, "must be positive or Timeout.InfiniteTimeSpan.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(debounce, TimeSpan.Zero);
        Path = System.IO.Path.GetFullPath(path);
        _changed = changed;
        _debounce = debounce;
        _stamp = FileStamp.Of(Path);
        if (debounce > TimeSpan.Zero)
        {
            _quiet = time.CreateTimer(static state => ((WatchedFile)state!).Call(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        _watcher = TryWatch(Path);
        if (pollInterval != Timeout.InfiniteTimeSpan)
        {
            _poll = time.CreateTimer(static state => ((WatchedFile)state!).Poll(), this, pollInterval, pollInterval);
        }
    }

    /// <summary>The full path of the file.</summary>
    public string Path { get; }

    /// <summary>False when file-system notifications could not be set up (inotify limits): only the poll notices changes.</summary>
    public bool IsWatching => _watcher is not null;

    /// <summary>Raised on each signal (a notification, or a poll that saw a new stamp), after the debounce is armed, for tests.</summary>
    public event Action? ChangeSeen;

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        _watcher?.Dispose();
        _poll?.Dispose();
        _quiet?.Dispose();
    }

    private FileSystemWatcher? TryWatch(string path)
    {
        FileSystemWatcher? watcher = null;
        try
        {
            watcher = new FileSystemWatcher(System.IO.Path.GetDirectoryName(path)!, System.IO.Path.GetFileName(path))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            watcher.Changed += OnNotified;
            watcher.Created += OnNotified;
            watcher.Renamed += OnNotified;
            // A lost-events overflow says nothing about which file changed: assume this one did.
            watcher.Error += (_, _) => Signal();
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            // No such directory, or out of inotify instances or watches: the poll still notices changes.
            watcher?.Dispose();
            return null;
        }
    }

    private void OnNotified(object sender, FileSystemEventArgs e) => Signal();

    private void Poll()
    {
        FileStamp stamp;
        try
        {
            stamp = FileStamp.Of(Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return;
        }

        lock (_gate)
        {
            if (stamp == _stamp)
            {
                return;
            }
        }

        Signal();
    }

    private void Signal()
    {
        bool now;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            // The stamp at the signal: a later poll that sees another one (the rest of a write) signals again.
            try
            {
                _stamp = FileStamp.Of(Path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _stamp = default;
            }

            now = _quiet is null;
            // Every signal restarts the wait: an editor's several writes make one call.
            _quiet?.Change(_debounce, Timeout.InfiniteTimeSpan);
        }

        // After arming: a test that advances the clock when it sees the signal does not outrun the timer.
        ChangeSeen?.Invoke();
        if (now)
        {
            Call();
        }
    }

    private void Call()
    {
        lock (_callbackGate)
        {
            if (Volatile.Read(ref _disposed))
            {
                return;
            }

            _changed();
        }
    }
}
