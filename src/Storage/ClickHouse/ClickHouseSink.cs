using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;
using Pipeline.Storage.ClickHouse.Internal;
using Pipeline.Storage.Spool;
using Polly;
using Polly.Retry;

namespace Pipeline.Storage.ClickHouse;

/// <summary>
/// The ClickHouse sink. Batches from the graph are encoded as RowBinary into one pending INSERT
/// until it holds <see cref="ClickHouseSinkOptions.BatchMaxRows"/> rows or
/// <see cref="ClickHouseSinkOptions.BatchMaxBytes"/> bytes or is
/// <see cref="ClickHouseSinkOptions.BatchMaxDelay"/> old; then it is compressed and sent while the
/// next one fills. <c>pipeline_sink_written_events_total{sink="clickhouse"}</c> counts rows after HTTP 200.
/// </summary>
/// <remarks>
/// When ClickHouse does not acknowledge an INSERT after <see cref="ClickHouseSinkOptions.InsertAttempts"/>
/// attempts, the encoded INSERT goes to the disk spool (<c>data/spool/clickhouse/</c>) and every
/// later one follows it there, so order is kept; a replay loop sends the oldest record until
/// ClickHouse answers and removes it only after HTTP 200. Meanwhile <see cref="Health"/> is
/// <see cref="SinkHealth.Spooling"/> (still ready) and the rest of the graph runs on. At most the
/// INSERT in flight when ClickHouse went away is written twice (it may have been committed
/// without the answer arriving): at-least-once.
/// An event batch is released as soon as its rows are copied into the pending INSERT: that copy,
/// not the batch, is what waits for ClickHouse's acknowledgement (kept in memory until HTTP 200 or
/// the spool). Holding pooled batches for a second would pin one ingest buffer per small batch,
/// gigabytes with thousands of quiet robots. Memory stays bounded: one INSERT filling, one queued,
/// one in flight.
/// </remarks>
public sealed partial class ClickHouseSink : IEventSink, IAsyncDisposable
{
    private readonly ClickHouseSinkOptions _options;
    private readonly ClickHouseEndpoint _endpoint;
    private readonly BufferBlock<EventBatch> _input;
    private readonly ActionBlock<PendingInsert> _send;
    private readonly ResiliencePipeline _retry;
    private readonly PayloadFormat _format;
    private readonly ComponentMetrics _metrics;
    private readonly Prometheus.Counter.Child _written;
    private readonly Prometheus.Counter.Child _bytes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _table;
    private readonly string _spoolDirectory;
    private readonly SemaphoreSlim _schemaGate = new(1, 1);
    private readonly DiskSpool _spool;
    private readonly Prometheus.Counter.Child _spooled;
    private readonly object _modeGate = new();
    private readonly CancellationTokenSource _stopping = new();
    private bool _spooling;
    private Task? _replay;
    private volatile bool _downLogged;
    private bool _spoolFullLogged;
    private volatile SinkHealth _health = SinkHealth.Healthy;
    private volatile bool _reached;
    private volatile LayoutBox? _layout;

    /// <summary>The table's layout once the schema is set up; null until then and after the table went away.</summary>
    private sealed record LayoutBox(SchemaLayout Layout);

    public ClickHouseSink(ClickHouseSinkOptions options, string spoolDirectory, PipelineMetrics metrics, TimeProvider time, ILogger logger)
    {
        _options = options;
        _spoolDirectory = spoolDirectory;
        _time = time;
        _logger = logger;
        _endpoint = new ClickHouseEndpoint(options.ConnectionString ?? throw new ArgumentException("ConnectionString is not set.", nameof(options)), options.RequestTimeout);
        _table = ClickHouseSchema.QualifiedName(options.Database, options.Table);
        _format = options.Compression switch
        {
            ClickHouseCompression.Lz4 => PayloadFormat.RowBinaryLz4,
            ClickHouseCompression.Gzip => PayloadFormat.RowBinaryGzip,
            _ => PayloadFormat.RowBinary,
        };
        _metrics = metrics.ForComponent(Name);
        _written = metrics.SinkWritten.WithLabels(Name);
        _bytes = metrics.SinkBytes.WithLabels(Name);
        _spooled = metrics.SinkSpooled.WithLabels(Name);
        _spool = new DiskSpool(spoolDirectory, options.Spool, logger);
        _retry = BuildRetry(options, time);
        _input = new BufferBlock<EventBatch>(new DataflowBlockOptions { BoundedCapacity = options.BoundedCapacity });
        // One INSERT in flight and one waiting: order is kept and the accumulator feels the back-pressure.
        _send = new ActionBlock<PendingInsert>(SendAsync, new ExecutionDataflowBlockOptions { BoundedCapacity = 1, MaxDegreeOfParallelism = 1 });
        var depth = metrics.BlockQueueDepth.WithLabels(Name);
        metrics.OnCollect(() => depth.Set(_input.Count + _send.InputCount));
        if (!_spool.IsEmpty)
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

    public string Name => "clickhouse";

    public ITargetBlock<EventBatch> Input => _input;

    public Task Completion { get; }

    /// <summary>
    /// <see cref="SinkHealth.Spooling"/> after an outage (still ready); <see cref="SinkHealth.Unreachable"/>
    /// while spooling when ClickHouse has not answered once since start (wrong host or credentials: not ready).
    /// </summary>
    public SinkHealth Health => _health == SinkHealth.Spooling && !_reached ? SinkHealth.Unreachable : _health;

    /// <summary>INSERTs that ClickHouse acknowledged (for tests and diagnostics).</summary>
    public long InsertsWritten => Interlocked.Read(ref _insertsWritten);

    private long _insertsWritten;

    /// <summary>Test hook: ClickHouse acknowledged an INSERT of this many rows.</summary>
    internal event Action<int>? InsertAcknowledged;

    /// <summary>Test hook: an INSERT of this many rows went to the spool.</summary>
    internal event Action<int>? InsertSpooled;

    /// <summary>Test hook: the pending INSERT waits for its age limit (the timer is set), so a fake clock may move.</summary>
    internal Action? OnWaitingForBatchDelay { get; set; }

    /// <summary>
    /// Sets the schema up before the service takes traffic. A table that does not fit throws
    /// <see cref="ClickHouseSchemaException"/> (the service does not start); a server that does not
    /// answer is logged once and the sink starts anyway, spooling until it does.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ClickHouseSchemaException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _health = SinkHealth.Spooling;
            _downLogged = true;
            ClickHouseLog.Unreachable(_logger, _endpoint.Description, ClickHouseErrors.Describe(ex), SpoolDescription);
        }
    }

    /// <summary>The spool's backlog (for tests and diagnostics).</summary>
    public long SpooledRows => _spool.PendingRows;

    private string SpoolDescription => _spool.DirectoryPath;

    private async Task RunAsync()
    {
        try
        {
            await AccumulateAsync().ConfigureAwait(false);
        }
        finally
        {
            _send.Complete();
        }

        try
        {
            await _send.Completion.ConfigureAwait(false);
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

            _spool.Dispose();
            _endpoint.Dispose();
        }
    }

    private async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (_layout is not null)
        {
            return;
        }

        await _schemaGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_layout is null)
            {
                var (layout, version) = await SchemaSetup.EnsureAsync(_endpoint, _options, cancellationToken).ConfigureAwait(false);
                _layout = new LayoutBox(layout);
                _reached = true;
                ClickHouseLog.Ready(_logger, _endpoint.Description, version, _options.Database, _options.Table, layout.ToString());
            }
        }
        finally
        {
            _schemaGate.Release();
        }
    }

    private static ResiliencePipeline BuildRetry(ClickHouseSinkOptions options, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (options.InsertAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.InsertAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.RetryMaxDelay,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => !ClickHouseErrors.IsRejectedData(ex) && ex is not ClickHouseSchemaException),
            });
        }

        return builder.Build();
    }

    public async ValueTask DisposeAsync()
    {
        _input.Complete();
        await Completion.ConfigureAwait(false);
    }
}
