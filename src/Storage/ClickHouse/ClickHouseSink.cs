using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Hosting;
using Pipeline.Blocks.Metrics;
using Pipeline.Storage.ClickHouse.Internal;
using Pipeline.Storage.Sinks;

namespace Pipeline.Storage.ClickHouse;

/// <summary>
/// The ClickHouse sink: RowBinary rows accumulate into one INSERT until it holds
/// <see cref="ClickHouseSinkOptions.BatchMaxRows"/> rows or <see cref="ClickHouseSinkOptions.BatchMaxBytes"/>
/// bytes or is <see cref="ClickHouseSinkOptions.BatchMaxDelay"/> old; it is then sent while the next
/// one fills. <c>pipeline_sink_written_events_total{sink="clickhouse"}</c> counts rows after HTTP 200.
/// </summary>
/// <remarks>
/// Its own parts are the encoder (<see cref="ClickHouseEncoder"/>) and the I/O (<see cref="ClickHouseWriter"/>);
/// retries, the spool (<c>data/spool/clickhouse/</c>) with its ordered replay, health and metrics are
/// the <see cref="SinkRunner"/>'s. At most the INSERT in flight when ClickHouse went away is written
/// twice (it may have been committed without the answer arriving): at-least-once. Memory stays
/// bounded: one INSERT filling, one queued, one in flight.
/// </remarks>
public sealed class ClickHouseSink : IEventSink, ILifecycleComponent, IAsyncDisposable
{
    private readonly SinkRunner _runner;

    public ClickHouseSink(ClickHouseSinkOptions options, string spoolDirectory, PipelineMetrics metrics, TimeProvider time, ILogger logger)
    {
        var format = options.Compression switch
        {
            ClickHouseCompression.Lz4 => PayloadFormat.RowBinaryLz4,
            ClickHouseCompression.Gzip => PayloadFormat.RowBinaryGzip,
            _ => PayloadFormat.RowBinary,
        };
        _runner = new SinkRunner(new ClickHouseWriter(options, logger), () => new ClickHouseEncoder(format), options.ToRunnerOptions(spoolDirectory),
            metrics, time, logger);
    }

    public string Name => _runner.Name;

    public ITargetBlock<EventBatch> Input => _runner.Input;

    public Task Completion => _runner.Completion;

    /// <inheritdoc cref="SinkRunner.Health"/>
    public SinkHealth Health => _runner.Health;

    public SinkSummary Summary => _runner.Summary;

    /// <summary>INSERTs that ClickHouse acknowledged (for tests and diagnostics).</summary>
    public long InsertsWritten => _runner.BatchesWritten;

    /// <summary>The spool's backlog (for tests and diagnostics).</summary>
    public long SpooledRows => _runner.SpooledEvents;

    /// <summary>Test hook: ClickHouse acknowledged an INSERT of this many rows.</summary>
    internal event Action<int>? InsertAcknowledged
    {
        add => _runner.Acknowledged += value;
        remove => _runner.Acknowledged -= value;
    }

    /// <summary>Test hook: an INSERT of this many rows went to the spool.</summary>
    internal event Action<int>? InsertSpooled
    {
        add => _runner.Spooled += value;
        remove => _runner.Spooled -= value;
    }

    /// <summary>Test hook: the pending INSERT waits for its age limit (the timer is set), so a fake clock may move.</summary>
    internal Action? OnWaitingForBatchDelay
    {
        get => _runner.OnWaitingForBatchDelay;
        set => _runner.OnWaitingForBatchDelay = value;
    }

    /// <summary>
    /// Sets the schema up before the service takes traffic. A table that does not fit throws
    /// <see cref="ClickHouseSchemaException"/> (the service does not start); a server that does not
    /// answer is logged once and the sink starts anyway, spooling until it does.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken) => _runner.StartAsync(cancellationToken);

    /// <summary>Schema checks run before the graph; draining is the graph's (its completion reaches the sink).</summary>
    public LifecycleStage Stage => LifecycleStage.Sinks;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => _runner.DisposeAsync();
}
