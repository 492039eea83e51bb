using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Acks;
using Pipeline.Blocks.Hosting;

namespace Pipeline.Storage.Acks;

/// <summary>
/// Every acknowledged robot boot the service knows: the streams by <c>(robot_id, boot_id)</c>, what the files sink's
/// fsyncs made durable, the acks that follow, and the highest durable seq of each boot across restarts — saved to
/// <c>data/acks/streams.json</c> and recovered at start from it and the rolling files written after it (the files are the
/// truth, so nothing that reached them is taken again, and nothing that did not is acknowledged).
/// </summary>
public sealed class AckRegistry : ILifecycleComponent, IDisposable
{
    private readonly AckOptions _options;
    private readonly string _directory;
    private readonly string _filesDirectory;
    private readonly AckMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Robot, string Boot), AckStream> _streams = [];
    private readonly PeriodicLoop _snapshots;
    private readonly Action _lost;
    private FilePosition? _synced;
    private bool _dirty;

    public AckRegistry(AckOptions options, string directory, string filesDirectory, AckMetrics metrics, TimeProvider time, ILogger logger)
    {
        _options = options;
        _directory = directory;
        _filesDirectory = filesDirectory;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _lost = () => metrics.Lost.Inc();
        _snapshots = new PeriodicLoop(options.SnapshotInterval, time, _ => { SaveIfDirty(); return Task.CompletedTask; },
            ex => AckLog.SnapshotFailed(logger, ex, Path.Combine(directory, AckSnapshotFile.Name)));
    }

    public LifecycleStage Stage => LifecycleStage.State;

    public AckOptions Options => _options;

    /// <summary>Boots remembered now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _streams.Count;
            }
        }
    }

    /// <summary>Loads the snapshot and reads the files written after it, before any connection is taken.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Recover();
        _snapshots.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _snapshots.StopAsync().ConfigureAwait(false);
        SaveIfDirty(); // the sinks stopped before this stage: their last fsync is in
    }

    /// <summary>The stream of a boot, made when new (forgetting the longest-quiet boots past <see cref="AckOptions.MaxStreams"/>).</summary>
    public AckStream Open(string robotId, string bootId)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        lock (_gate)
        {
            if (_streams.TryGetValue((robotId, bootId), out var stream))
            {
                return stream;
            }

            if (_streams.Count >= _options.MaxStreams)
            {
                EvictLocked(Math.Max(1, _options.MaxStreams / 100), now);
            }

            stream = new AckStream(robotId, bootId, 0, now, _lost);
            _streams[(robotId, bootId)] = stream;
            _metrics.Streams.Set(_streams.Count);
            return stream;
        }
    }

    /// <summary>The stream of a boot if the service knows it.</summary>
    public AckStream? Find(string robotId, string bootId)
    {
        lock (_gate)
        {
            return _streams.GetValueOrDefault((robotId, bootId));
        }
    }

    /// <summary>
    /// The files sink's fsync that covers <paramref name="tokens"/> returned: they are durable, and everything written up
    /// to <paramref name="position"/> is on disk. Sends the acks that moved, one per boot.
    /// </summary>
    public void OnSynced(IReadOnlyList<AckToken> tokens, FilePosition? position)
    {
        var now = _time.GetTimestamp();
        List<AckStream>? due = null;
        foreach (var token in tokens)
        {
            _metrics.Delay.Observe(_time.GetElapsedTime(token.CreatedTimestamp, now).TotalSeconds);
            if (token.MarkDurable())
            {
                (due ??= []).Add(token.Stream);
            }
        }

        lock (_gate)
        {
            if (position is not null)
            {
                _synced = position;
            }

            _dirty = true;
        }

        if (due is null)
        {
            return;
        }

        foreach (var stream in due)
        {
            if (stream.TakeDueAck(out var seq, out var owner) && owner is not null)
            {
                owner.SendAck(stream, seq);
                _metrics.Sent.Inc();
            }
        }
    }

    /// <summary>Saves the snapshot now (tests, and the stop).</summary>
    public void SaveIfDirty()
    {
        AckSnapshot snapshot;
        lock (_gate)
        {
            if (!_dirty)
            {
                return;
            }

            _dirty = false;
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            EvictExpiredLocked(now);
            var streams = new List<AckSnapshotStream>(_streams.Count);
            foreach (var stream in _streams.Values)
            {
                if (stream.Durable > 0)
                {
                    streams.Add(new AckSnapshotStream(stream.RobotId, stream.BootId, stream.Durable, stream.LastActivity));
                }
            }

            snapshot = new AckSnapshot(1, _synced?.File, _synced?.Offset ?? 0, streams);
        }

        try
        {
            AckSnapshotFile.Write(_directory, snapshot);
        }
        catch
        {
            lock (_gate)
            {
                _dirty = true;
            }

            throw;
        }
    }

    private void Recover()
    {
        var started = Stopwatch.GetTimestamp();
        AckSnapshot? snapshot = null;
        try
        {
            snapshot = AckSnapshotFile.Read(_directory);
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            // Damaged: every file is read instead (slower, same result).
            AckLog.SnapshotUnreadable(_logger, Path.Combine(_directory, AckSnapshotFile.Name), ex.Message);
        }

        var highest = new Dictionary<(string Robot, string Boot), long>();
        var activity = new Dictionary<(string Robot, string Boot), long>();
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var stream in snapshot?.Streams ?? [])
        {
            highest[(stream.RobotId, stream.BootId)] = stream.Seq;
            activity[(stream.RobotId, stream.BootId)] = stream.LastActivity;
        }

        var from = snapshot?.FilesFile is { } file ? new FilePosition(file, snapshot.FilesOffset) : (FilePosition?)null;
        var (files, lines, end) = AckRecovery.Scan(_filesDirectory, from, highest);
        lock (_gate)
        {
            _synced = end;
            foreach (var ((robot, boot), seq) in highest)
            {
                var stream = new AckStream(robot, boot, seq, activity.GetValueOrDefault((robot, boot), now), _lost);
                _streams[(robot, boot)] = stream;
            }

            EvictExpiredLocked(now);
            if (_streams.Count > _options.MaxStreams)
            {
                EvictLocked(_streams.Count - _options.MaxStreams, now);
            }

            _metrics.Streams.Set(_streams.Count);
            _dirty = true;
        }

        AckLog.Recovered(_logger, _streams.Count, files, lines, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private void EvictExpiredLocked(long now)
    {
        var limit = now - (long)_options.StreamRetention.TotalMilliseconds;
        List<(string, string)>? expired = null;
        foreach (var (key, stream) in _streams)
        {
            if (stream.LastActivity < limit && !stream.HasOwner)
            {
                (expired ??= []).Add(key);
            }
        }

        foreach (var key in expired ?? [])
        {
            _streams.Remove(key);
            _metrics.Evicted.Inc();
        }
    }

    private void EvictLocked(int count, long now)
    {
        var quiet = _streams.Where(s => !s.Value.HasOwner).OrderBy(s => s.Value.LastActivity).Take(count).Select(s => s.Key).ToList();
        foreach (var key in quiet)
        {
            _streams.Remove(key);
        }

        _metrics.Evicted.Inc(quiet.Count);
        if (quiet.Count > 0)
        {
            AckLog.Evicted(_logger, quiet.Count, _options.MaxStreams, now);
        }
    }

    public void Dispose() => _snapshots.Dispose();
}
