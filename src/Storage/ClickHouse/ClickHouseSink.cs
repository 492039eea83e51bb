using Microsoft.Extensions.Logging;
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
public sealed class ClickHouseSink : RunnerSink, ILifecycleComponent
{
    public ClickHouseSink(ClickHouseSinkOptions options, string spoolDirectory, PipelineMetrics metrics, TimeProvider time, ILogger logger)
        : base(CreateRunner(options, spoolDirectory, metrics, time, logger))
    {
    }

    /// <summary>INSERTs that ClickHouse acknowledged (for tests and diagnostics).</summary>
    public long InsertsWritten => Runner.BatchesWritten;

    /// <summary>The spool's backlog (for tests and diagnostics).</summary>
    public long SpooledRows => Runner.SpooledEvents;

    /// <summary>Test hook: ClickHouse acknowledged an INSERT of this many rows.</summary>
    internal event Action<int>? InsertAcknowledged
    {
        add => Runner.Acknowledged += value;
        remove => Runner.Acknowledged -= value;
    }

    /// <summary>Test hook: an INSERT of this many rows went to the spool.</summary>
    internal event Action<int>? InsertSpooled
    {
        add => Runner.Spooled += value;
        remove => Runner.Spooled -= value;
    }

    /// <summary>Test hook: the pending INSERT waits for its age limit (the timer is set), so a fake clock may move.</summary>
    internal Action? OnWaitingForBatchDelay
    {
        get => Runner.OnWaitingForBatchDelay;
        set => Runner.OnWaitingForBatchDelay = value;
    }

    /// <summary>
    /// Sets the schema up before the service takes traffic. A table that does not fit throws
    /// <see cref="ClickHouseSchemaException"/> (the service does not start); a server that does not
    /// answer is logged once and the sink starts anyway, spooling until it does.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken) => Runner.StartAsync(cancellationToken);

    /// <summary>Schema checks run before the graph; draining is the graph's (its completion reaches the sink).</summary>
    public LifecycleStage Stage => LifecycleStage.Sinks;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static SinkRunner CreateRunner(ClickHouseSinkOptions options, string spoolDirectory, PipelineMetrics metrics, TimeProvider time, ILogger logger)
    {
        var format = options.Compression switch
        {
            ClickHouseCompression.Lz4 => PayloadFormat.RowBinaryLz4,
            ClickHouseCompression.Gzip => PayloadFormat.RowBinaryGzip,
            _ => PayloadFormat.RowBinary,
        };
        return new SinkRunner(new ClickHouseWriter(options, logger), () => new ClickHouseEncoder(format), options.ToRunnerOptions(spoolDirectory),
            metrics, time, logger);
    }
}
