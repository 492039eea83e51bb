using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Metrics;

namespace Pipeline.Blocks.PatternMine;

/// <summary>
/// The <c>data/patterns/</c> directory: restores a miner from <c>templates.json</c> at start, writes it
/// back periodically (atomically: temp file, fsync, rename, so a crash leaves the previous snapshot whole),
/// and appends the miner's recorded changes to <c>history.ndjson</c>. A bad snapshot never stops the
/// service: it is moved aside, logged and counted, and the miner starts empty.
/// </summary>
public sealed class PatternSnapshotStore
{
    public const string SnapshotFileName = "templates.json";
    public const string HistoryFileName = "history.ndjson";
    public const string PreviousHistoryFileName = "history.1.ndjson";

    private static readonly JsonWriterOptions HistoryWriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly string _directory;
    private readonly PatternSnapshotOptions _options;
    private readonly PatternSnapshotMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _writeGate = new();
    private readonly List<PatternChange> _pending = [];
    private readonly List<(long Count, TaskCompletionSource Done)> _waiters = [];
    private long _droppedReported;
    private long _writes;

    public PatternSnapshotStore(string directory, PatternSnapshotOptions options, PipelineMetrics metrics, TimeProvider time, ILogger logger)
    {
        options.Validate();
        _directory = directory;
        _options = options;
        _metrics = new PatternSnapshotMetrics(metrics);
        _time = time;
        _logger = logger;
        Changes = new PatternChangeLog(options.HistoryCapacity, time);
    }

    /// <summary>The queue the miner records its changes in (attached by <see cref="Load"/>).</summary>
    public PatternChangeLog Changes { get; }

    public string SnapshotPath => Path.Combine(_directory, SnapshotFileName);

    public string HistoryPath => Path.Combine(_directory, HistoryFileName);

    private string TempPath => SnapshotPath + ".tmp";

    /// <summary>Snapshots written (successfully) since start.</summary>
    public long WriteCount => Interlocked.Read(ref _writes);

    /// <summary>
    /// Restores <paramref name="miner"/> (fresh, before it mines anything) from the snapshot, if there is
    /// one, and attaches <see cref="Changes"/> to it. Never throws for a missing, unreadable or
    /// unsupported file. Returns the number of templates restored.
    /// </summary>
    public int Load(TemplateMiner miner)
    {
        var path = SnapshotPath;
        try
        {
            if (File.Exists(TempPath))
            {
                File.Delete(TempPath); // a write that crashed before its rename
            }

            if (!File.Exists(path))
            {
                _metrics.Missing.Inc();
                PatternSnapshotLog.Missing(_logger, path);
            }
            else
            {
                var snapshot = PatternSnapshotFormat.Read(File.ReadAllBytes(path));
                var dropped = miner.Restore(snapshot);
                _metrics.Restored.Inc();
                PatternSnapshotLog.Restored(_logger, path, miner.TemplateCount, dropped);
            }
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            _metrics.Corrupt.Inc();
            PatternSnapshotLog.Corrupt(_logger, path, ex.Message, MoveAside(path));
        }

        miner.RecordChangesTo(Changes);
        return miner.TemplateCount;
    }

    /// <summary>
    /// Appends the recorded changes to the history, then writes the miner's templates. Returns false
    /// (logged and counted) when the snapshot could not be written; the previous one stays in place.
    /// </summary>
    public bool Write(TemplateMiner miner)
    {
        lock (_writeGate)
        {
            var changes = WriteHistory();
            var snapshot = miner.Export();
            var path = SnapshotPath;
            try
            {
                Directory.CreateDirectory(_directory);
                using (var file = new FileStream(TempPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    PatternSnapshotFormat.Write(file, snapshot, _time.GetUtcNow());
                    file.Flush(flushToDisk: true);
                }

                // rename(2) replaces atomically: a reader (or a crash) sees the old file or the new one. The
                // directory entry is not fsynced (.NET cannot open a directory): a power cut right after may
                // undo the rename, which leaves the previous snapshot, still whole.
                File.Move(TempPath, path, overwrite: true);
            }
            catch (Exception ex)
            {
                // Any failure (I/O, or a bug in the writer) must not stop the host: a background service
                // that throws stops it. The previous snapshot stays in place; the next interval retries.
                TryDelete(TempPath);
                _metrics.SnapshotsFailed.Inc();
                PatternSnapshotLog.WriteFailed(_logger, path, ex.Message);
                return false;
            }

            _metrics.SnapshotsOk.Inc();
            PatternSnapshotLog.Written(_logger, snapshot.Templates.Length, changes);
            Interlocked.Increment(ref _writes);
            ReleaseWaiters();
            return true;
        }
    }

    /// <summary>Writes a snapshot every <see cref="PatternSnapshotOptions.Interval"/> until cancelled (the hosted service's loop).</summary>
    public async Task RunAsync(TemplateMiner miner, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.Interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                Write(miner);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Completes once <paramref name="count"/> snapshots have been written since start (tests, tools).</summary>
    public Task WaitForWritesAsync(long count)
    {
        lock (_waiters)
        {
            if (WriteCount >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            return done.Task;
        }
    }

    private void ReleaseWaiters()
    {
        lock (_waiters)
        {
            var written = WriteCount;
            _waiters.RemoveAll(w =>
            {
                if (w.Count > written)
                {
                    return false;
                }

                w.Done.TrySetResult();
                return true;
            });
        }
    }

    private int WriteHistory()
    {
        var dropped = Changes.Dropped;
        if (dropped > _droppedReported)
        {
            _metrics.HistoryDropped.Inc(dropped - _droppedReported);
            _droppedReported = dropped;
        }

        _pending.Clear();
        if (Changes.Drain(_pending) == 0)
        {
            return 0;
        }

        var path = HistoryPath;
        try
        {
            Directory.CreateDirectory(_directory);
            var existing = new FileInfo(path);
            if (existing.Exists && existing.Length >= _options.MaxHistoryBytes)
            {
                File.Move(path, Path.Combine(_directory, PreviousHistoryFileName), overwrite: true);
            }

            using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16);
            using var w = new Utf8JsonWriter(file, HistoryWriterOptions);
            foreach (var change in _pending)
            {
                WriteChange(w, change);
                w.Flush();
                w.Reset(file);
                file.WriteByte((byte)'\n');
            }

            file.Flush(flushToDisk: true);
        }
        catch (Exception ex)
        {
            _metrics.HistoryDropped.Inc(_pending.Count);
            PatternSnapshotLog.HistoryFailed(_logger, path, ex.Message, _pending.Count);
            return 0;
        }

        _metrics.HistoryWritten.Inc(_pending.Count);
        return _pending.Count;
    }

    private static void WriteChange(Utf8JsonWriter w, PatternChange change)
    {
        w.WriteStartObject();
        w.WriteString("at", PatternSnapshotFormat.Time(change.AtUnixMs));
        w.WriteString("change", change.Kind switch
        {
            PatternChangeKind.Generalised => "generalised",
            PatternChangeKind.Merged => "merged",
            _ => "evicted",
        });
        Output.JsonIds.Write(w, "template_id", change.Id);
        if (change.Kind == PatternChangeKind.Generalised)
        {
            w.WriteString("before", change.Before);
            w.WriteString("after", change.After);
        }
        else if (change.Kind == PatternChangeKind.Merged)
        {
            Output.JsonIds.Write(w, "merged_into", change.MergedInto);
        }

        w.WriteEndObject();
    }

    private string MoveAside(string path)
    {
        var aside = $"{path}.corrupt-{_time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture)}";
        try
        {
            File.Move(path, aside, overwrite: true);
            return aside;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"(nowhere: {ex.Message})";
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}
