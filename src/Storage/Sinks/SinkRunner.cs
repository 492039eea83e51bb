using System.Collections.Concurrent;
using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;
using Pipeline.Storage.Spool;
using Polly;

namespace Pipeline.Storage.Sinks;

/// <summary>
/// Everything a sink needs besides its own encoding and I/O, written once: the bounded input the
/// fan-out awaits, encoding (in parallel with order kept, or accumulating by count, bytes and age),
/// retries with exponential backoff and jitter (Polly), the disk spool and its ordered replay,
/// health for <c>/readyz</c>, the metrics and the shutdown summary.
/// </summary>
/// <remarks>
/// Delivery is one writer: a sealed batch is attempted <see cref="SinkRunnerOptions.Attempts"/>
/// times; if the destination still did not acknowledge it, it goes to the spool and every later
/// batch follows it there, so order is kept, while a replay loop sends the oldest spooled batch
/// until the destination takes it and removes it only then (at-least-once). Without a spool (local
/// destinations), a batch that failed every attempt is counted as discarded. Memory stays bounded:
/// the input, <see cref="SinkRunnerOptions.WriteQueue"/> sealed batches and the one being written.
/// An event batch is released as soon as it is encoded: the encoded copy, not the pooled batch, is
/// what waits for the acknowledgement.
/// </remarks>
public sealed partial class SinkRunner : IEventSink, IAsyncDisposable
{
    private readonly IBatchSink _sink;
    private readonly IAcknowledgingSink? _durable;
    private readonly Func<IBatchEncoder> _encoderFactory;
    private readonly SinkRunnerOptions _options;
    private readonly ComponentMetrics _metrics;
    private readonly Prometheus.Counter.Child _written;
    private readonly Prometheus.Counter.Child _bytes;
    private readonly Prometheus.Counter.Child _spooled;
    private readonly Prometheus.Counter.Child _retries;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _retry;
    private readonly DiskSpool? _spool;
    private readonly ITargetBlock<EventBatch> _input;
    private readonly BufferBlock<EventBatch>? _accumulating;
    private readonly ActionBlock<SinkBatch?> _write;
    private readonly ConcurrentBag<IBatchEncoder> _encoders = [];
    private IBatchEncoder? _accumulator; // the accumulating encoder now (replaced after a failed Append)
    private readonly object _modeGate = new();
    private readonly CancellationTokenSource _stopping = new();
    private bool _spooling;
    private Task? _replay;
    private bool _spoolFullLogged;
    private volatile bool _downLogged;
    private volatile bool _reached;
    private volatile SinkHealth _health = SinkHealth.Healthy;
    private long _writtenEvents;
    private long _writtenBatches;
    private long _discardedEvents;

    public SinkRunner(IBatchSink sink, Func<IBatchEncoder> encoderFactory, SinkRunnerOptions options, PipelineMetrics metrics, TimeProvider time, ILogger logger)
    {
        if (options.EncodeParallelism > 1 && options.EncodeMode != SinkEncodeMode.EachBatch)
        {
            throw new ArgumentException("Parallel encoding seals every event batch on its own: EncodeMode must be EachBatch.", nameof(options));
        }

        if (options.Spool is not null && string.IsNullOrEmpty(options.SpoolDirectory))
        {
            throw new ArgumentException("A spool needs SpoolDirectory.", nameof(options));
        }

        _sink = sink;
        _durable = sink as IAcknowledgingSink;
        _encoderFactory = encoderFactory;
        _options = options;
        _time = time;
        _logger = logger;
        _metrics = metrics.ForComponent(sink.Name);
        _written = metrics.SinkWritten.WithLabels(sink.Name);
        _bytes = metrics.SinkBytes.WithLabels(sink.Name);
        _spooled = metrics.SinkSpooled.WithLabels(sink.Name);
        _retries = metrics.SinkRetries.WithLabels(sink.Name);
        _retry = BuildRetry(options, time);
        if (options.Spool is not null)
        {
            _spool = new DiskSpool(options.SpoolDirectory!, options.Spool, logger);
            var pending = metrics.SinkSpoolPending.WithLabels(sink.Name);
            var bytes = metrics.SinkSpoolBytes.WithLabels(sink.Name);
            var spool = _spool;
            metrics.OnCollect(() =>
            {
                pending.Set(spool.PendingRows);
                bytes.Set(spool.DiskBytes);
            });
        }

        _write = new ActionBlock<SinkBatch?>(DeliverAsync, new ExecutionDataflowBlockOptions
        {
            BoundedCapacity = Math.Max(0, options.WriteQueue) + 1, // the one being written counts
            MaxDegreeOfParallelism = 1,
        });
        if (options.EncodeMode == SinkEncodeMode.EachBatch)
        {
            var encode = new TransformBlock<EventBatch, SinkBatch?>(EncodeOne, new ExecutionDataflowBlockOptions
            {
                BoundedCapacity = options.BoundedCapacity,
                MaxDegreeOfParallelism = Math.Max(1, options.EncodeParallelism),
                EnsureOrdered = true,
            });
            encode.LinkTo(_write, new DataflowLinkOptions { PropagateCompletion = true });
            _input = encode;
            var depth = metrics.BlockQueueDepth.WithLabels(sink.Name);
            metrics.OnCollect(() => depth.Set(encode.InputCount + encode.OutputCount + _write.InputCount));
        }
        else
        {
            _accumulating = new BufferBlock<EventBatch>(new DataflowBlockOptions { BoundedCapacity = options.BoundedCapacity });
            _input = _accumulating;
            var depth = metrics.BlockQueueDepth.WithLabels(sink.Name);
            metrics.OnCollect(() => depth.Set(_accumulating.Count + _write.InputCount));
        }

        if (_spool is { IsEmpty: false })
        {
            // A spool left by a previous run: replay it first, and queue behind it.
            lock (_modeGate)
            {
                _spooling = true;
                _health = SinkHealth.Spooling;
                EnsureReplay();
            }
        }

        Completion = RunAsync();
    }

    public string Name => _sink.Name;

    public ITargetBlock<EventBatch> Input => _input;

    public Task Completion { get; }

    /// <summary>
    /// <see cref="SinkHealth.Spooling"/> during an outage (still ready: nothing is lost);
    /// <see cref="SinkHealth.Unreachable"/> while spooling when the destination has not answered once
    /// since start (wrong host or credentials: not ready); <see cref="SinkHealth.Failed"/> when it
    /// cannot take data at all (no spool and the last write failed, the spool full, a setup error).
    /// </summary>
    public SinkHealth Health => _health == SinkHealth.Spooling && !_reached ? SinkHealth.Unreachable : _health;

    public SinkSummary Summary => new(Interlocked.Read(ref _writtenEvents), _spool?.PendingRows ?? 0, Interlocked.Read(ref _discardedEvents),
        _spool?.DirectoryPath);

    /// <summary>Batches the destination acknowledged (for tests and diagnostics).</summary>
    public long BatchesWritten => Interlocked.Read(ref _writtenBatches);

    /// <summary>Events waiting in the spool.</summary>
    public long SpooledEvents => _spool?.PendingRows ?? 0;

    /// <summary>The sink this runner feeds.</summary>
    public IBatchSink Sink => _sink;

    /// <summary>Test hook: the destination acknowledged a batch (or part of one) of this many events.</summary>
    internal event Action<int>? Acknowledged;

    /// <summary>Test hook: a batch of this many events went to the spool.</summary>
    internal event Action<int>? Spooled;

    /// <summary>Test hook: a sealed batch waits for the writer (busy, its queue full), so the runner's input fills from here on.</summary>
    internal event Action? WaitingToHandOver;

    /// <summary>Test hook: the pending batch waits for its age limit (the timer is set), so a fake clock may move.</summary>
    internal Action? OnWaitingForBatchDelay { get; set; }

    /// <summary>
    /// Reaches the destination before the service takes traffic. A <see cref="SinkSetupException"/>
    /// (say, a table that does not fit) stops the service; a destination that does not answer is
    /// said once in the log and the sink starts anyway, spooling (not ready until it answers).
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _sink.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
            _reached = true;
        }
        catch (SinkSetupException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _downLogged = true;
            if (_spool is null)
            {
                _health = SinkHealth.Failed;
                SinkRunnerLog.UnreachableNoSpool(_logger, Name, _sink.Destination, _sink.Describe(ex));
            }
            else
            {
                _health = SinkHealth.Spooling;
                SinkRunnerLog.Unreachable(_logger, Name, _sink.Destination, _sink.Describe(ex), _spool.DirectoryPath);
            }
        }
    }

    private async Task RunAsync()
    {
        if (_accumulating is not null)
        {
            try
            {
                await AccumulateAsync(_accumulating).ConfigureAwait(false);
            }
            finally
            {
                _write.Complete();
            }
        }

        try
        {
            await _write.Completion.ConfigureAwait(false);
        }
        finally
        {
            // What is still spooled stays on disk for the next start.
            await _stopping.CancelAsync().ConfigureAwait(false);
            Task? replay;
            lock (_modeGate)
            {
                replay = _replay;
            }

            if (replay is not null)
            {
                await replay.ConfigureAwait(false);
            }

            var summary = Summary;
            if (summary.Spooled > 0)
            {
                SinkRunnerLog.StoppedWithSpool(_logger, Name, summary.Written, summary.Spooled, summary.SpoolDirectory!, summary.Discarded);
            }
            else
            {
                SinkRunnerLog.Stopped(_logger, Name, summary.Written, summary.Discarded);
            }

            _spool?.Dispose();
            while (_encoders.TryTake(out var encoder))
            {
                encoder.Dispose();
            }

            await _sink.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _input.Complete();
        await Completion.ConfigureAwait(false);
    }
}
