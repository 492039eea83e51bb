using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Metrics;
using Pipeline.Storage.Rolling;
using Pipeline.Storage.Sinks;

namespace Pipeline.Storage.Files;

/// <summary>
/// The files sink's I/O: appends each LZ4 frame to the rolling file. Handing the frame to the OS is the
/// acknowledgement; every <see cref="FilesSinkOptions.FsyncInterval"/> while writing, one fsync puts everything
/// written since the last on disk (group commit), counted in <c>pipeline_sink_fsyncs_total{sink="files"}</c>.
/// A failed write closes the file, so the next attempt opens a fresh one.
/// </summary>
internal sealed class FilesWriter : IBatchSink
{
    private readonly RollingFileWriter _writer;
    private readonly string _directory;
    private readonly FilesSinkOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly ITimer? _sync;
    private readonly Prometheus.Counter.Child _fsyncs;
    private readonly ComponentMetrics _metrics;
    private int _failures;
    private bool _unsynced;

    public FilesWriter(RollingFileWriter writer, string directory, FilesSinkOptions options, PipelineMetrics metrics, TimeProvider time, ILogger logger)
    {
        _writer = writer;
        _directory = directory;
        _options = options;
        _logger = logger;
        _fsyncs = metrics.SinkFsyncs.WithLabels(Name);
        _metrics = metrics.ForComponent(Name);
        if (options.FsyncInterval > TimeSpan.Zero)
        {
            _sync = time.CreateTimer(static s => ((FilesWriter)s!).Sync(), this, options.FsyncInterval, options.FsyncInterval);
        }
    }

    public string Name => "files";

    public string Destination => _directory;

    public Task WriteAsync(SinkBatch batch, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            try
            {
                _writer.Write(batch.Payload.Span);
                _unsynced = true;
                _failures = 0;
                return Task.CompletedTask;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _writer.Close();
                FilesLog.WriteFailed(_logger, ex, ++_failures, _options.WriteRetries);
                throw;
            }
        }
    }

    /// <summary>One fsync for every write since the last (the timer's work; tests call it).</summary>
    internal void Sync()
    {
        lock (_gate)
        {
            if (!_unsynced)
            {
                return;
            }

            try
            {
                _writer.Flush();
                _unsynced = false;
                _fsyncs.Inc();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                // The next write meets the same disk and is retried and reported; the next tick tries again.
                _metrics.Error("fsync");
                FilesLog.FsyncFailed(_logger, ex);
            }
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

        lock (_gate)
        {
            _writer.Close(); // fsyncs what is left
        }
    }
}
