using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Acks;
using Pipeline.Blocks.Metrics;
using Pipeline.Storage.Acks;
using Pipeline.Storage.Rolling;
using Pipeline.Storage.Sinks;

namespace Pipeline.Storage.Files;

/// <summary>
/// The files sink's I/O: appends each LZ4 frame to the rolling file. Handing the frame to the OS is the write's
/// acknowledgement; durability is group commit: one fsync (<c>fdatasync</c>) puts everything written since the last on
/// disk, every <see cref="FilesSinkOptions.FsyncInterval"/> while writing, and — while frames of acknowledged robots
/// wait — at most every <see cref="AckOptions.AckInterval"/>, after which their acks go out (docs/acks.md). Each fsync
/// is counted in <c>pipeline_sink_fsyncs_total{sink="files"}</c>. A failed write closes the file, so the next attempt
/// opens a fresh one.
/// </summary>
internal sealed class FilesWriter : IBatchSink, IAcknowledgingSink
{
    private readonly RollingFileWriter _writer;
    private readonly string _directory;
    private readonly FilesSinkOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly AckRegistry? _acks;
    private readonly Lock _gate = new();
    private readonly Lock _syncGate = new();
    private readonly ITimer? _sync;
    private readonly ITimer? _ackSync;
    private readonly Prometheus.Counter.Child _fsyncs;
    private readonly ComponentMetrics _metrics;
    private List<AckToken> _awaiting = [];
    private int _failures;
    private bool _unsynced;
    private bool _ackSyncArmed;
    private long _lastSync;

    public FilesWriter(RollingFileWriter writer, string directory, FilesSinkOptions options, PipelineMetrics metrics, TimeProvider time, ILogger logger,
        AckRegistry? acks = null)
    {
        _writer = writer;
        _directory = directory;
        _options = options;
        _logger = logger;
        _time = time;
        _acks = acks;
        _fsyncs = metrics.SinkFsyncs.WithLabels(Name);
        _metrics = metrics.ForComponent(Name);
        _lastSync = time.GetTimestamp();
        if (options.FsyncInterval > TimeSpan.Zero)
        {
            _sync = time.CreateTimer(static s => ((FilesWriter)s!).Sync(), this, options.FsyncInterval, options.FsyncInterval);
        }

        if (acks is not null)
        {
            _ackSync = time.CreateTimer(static s => ((FilesWriter)s!).Sync(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    public string Name => "files";

    public string Destination => _directory;

    public Task WriteAsync(SinkBatch batch, CancellationToken cancellationToken)
    {
        TimeSpan? arm = null;
        lock (_gate)
        {
            try
            {
                _writer.Write(batch.Payload.Span);
                _unsynced = true;
                _failures = 0;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _writer.Close();
                FilesLog.WriteFailed(_logger, ex, ++_failures, _options.WriteRetries);
                throw;
            }

            if (batch.Ack is { } token)
            {
                batch.Ack = null; // the writer resolves it now, after the fsync
                _awaiting.Add(token);
                arm = ArmAckSync();
            }
        }

        StartAckSync(arm);
        return Task.CompletedTask;
    }

    /// <summary>A batch with no events whose numbered lines need no write: durable with the next fsync, in order with the rest.</summary>
    public void AwaitSync(AckToken token)
    {
        TimeSpan? arm;
        lock (_gate)
        {
            _awaiting.Add(token);
            arm = ArmAckSync();
        }

        StartAckSync(arm);
    }

    /// <summary>
    /// When the fsync for waiting acks is due, if it is not set already: now if the last was an interval ago, else an
    /// interval after it. Under <see cref="_gate"/>; the timer is set outside it (<see cref="StartAckSync"/>).
    /// </summary>
    private TimeSpan? ArmAckSync()
    {
        if (_ackSyncArmed || _ackSync is null)
        {
            return null;
        }

        _ackSyncArmed = true;
        var wait = _acks!.Options.AckInterval - _time.GetElapsedTime(Interlocked.Read(ref _lastSync));
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    private void StartAckSync(TimeSpan? due)
    {
        if (due is { } wait)
        {
            _ackSync!.Change(wait, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// One fsync for every write since the last (the timers' work; tests call it), outside the write lock so frames keep
    /// going to the OS meanwhile; then the acks it covers.
    /// </summary>
    internal void Sync()
    {
        lock (_syncGate)
        {
            Microsoft.Win32.SafeHandles.SafeFileHandle? handle;
            List<AckToken> tokens;
            FilePosition? position;
            lock (_gate)
            {
                _ackSyncArmed = false;
                if (!_unsynced && _awaiting.Count == 0)
                {
                    return;
                }

                // Spacing is from the start of one fsync to the next: tokens that arrive during this one wait a whole interval.
                Interlocked.Exchange(ref _lastSync, _time.GetTimestamp());
                handle = _writer.CurrentHandle;
                position = _writer.CurrentPath is { } path ? new FilePosition(Path.GetFileName(path), _writer.CurrentLength) : null;
                tokens = _awaiting;
                _awaiting = tokens.Count == 0 ? tokens : [];
                _unsynced = false;
            }

            try
            {
                FlushToDisk(handle);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Nothing is acknowledged: the tokens wait for the next fsync, which meets the same disk and is reported again.
                lock (_gate)
                {
                    _unsynced = true;
                    if (tokens.Count > 0 && !ReferenceEquals(tokens, _awaiting))
                    {
                        tokens.AddRange(_awaiting);
                        _awaiting = tokens;
                    }
                }

                _metrics.Error("fsync");
                FilesLog.FsyncFailed(_logger, ex);
                return;
            }

            _fsyncs.Inc();
            if (_acks is not null && tokens.Count > 0)
            {
                _acks.OnSynced(tokens, position);
            }
        }
    }

    private void FlushToDisk(Microsoft.Win32.SafeHandles.SafeFileHandle? handle)
    {
        if (handle is null)
        {
            return; // no file open: the last one was fsynced when it was closed
        }

        if (!OperatingSystem.IsLinux())
        {
            lock (_gate)
            {
                _writer.Flush();
            }

            return;
        }

        try
        {
            NativeSync.FlushToDisk(handle);
        }
        catch (ObjectDisposedException)
        {
            // The file rolled (or closed) meanwhile: closing fsyncs it.
        }
    }

    public Task CheckHealthAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_directory);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_sync is not null)
        {
            await _sync.DisposeAsync().ConfigureAwait(false);
        }

        if (_ackSync is not null)
        {
            await _ackSync.DisposeAsync().ConfigureAwait(false);
        }

        Sync(); // the last acks: what is written is on disk
        lock (_gate)
        {
            _writer.Close();
        }
    }
}
