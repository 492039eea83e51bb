using Pipeline.Storage.Spool;

namespace Pipeline.Storage.Sinks;

/// <summary>
/// How a <see cref="SinkRunner"/> feeds one sink. Each sink's options type builds one from its own
/// keys (<c>Pipeline:Sinks:&lt;Sink&gt;:…</c>); a snapshot taken at construction.
/// </summary>
public sealed class SinkRunnerOptions
{
    /// <summary>Event batches queued before the fan-out waits (<c>Pipeline:Sinks:&lt;Sink&gt;:BoundedCapacity</c>). Never unbounded.</summary>
    public int BoundedCapacity { get; init; } = 8;

    /// <summary>Accumulate event batches into one (the limits below), or seal each on its own. Default <see cref="SinkEncodeMode.Accumulate"/>.</summary>
    public SinkEncodeMode EncodeMode { get; init; } = SinkEncodeMode.Accumulate;

    /// <summary>Encoders working at once with <see cref="SinkEncodeMode.EachBatch"/> (order kept). Default 1.</summary>
    public int EncodeParallelism { get; init; } = 1;

    /// <summary>Accumulating: seal when this many events are pending (checked after each event batch, so a sealed batch can hold up to one event batch more).</summary>
    public int BatchMaxEvents { get; init; } = 10_000;

    /// <summary>Accumulating: seal when this many bytes are pending.</summary>
    public long BatchMaxBytes { get; init; } = long.MaxValue;

    /// <summary>Accumulating: seal when the first pending event is this old.</summary>
    public TimeSpan BatchMaxDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Sealed batches waiting for the writer besides the one being written (the accumulating encoder
    /// holds one more while it waits to hand it over). Memory bound: each holds one encoded batch.
    /// </summary>
    public int WriteQueue { get; init; }

    /// <summary>Attempts of one batch before it is spooled (or, without a spool, discarded with reason <see cref="FailedReason"/>).</summary>
    public int Attempts { get; init; } = 3;

    /// <summary>First delay between attempts, doubled each time up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest delay between attempts, and between replay probes while spooling.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Randomises delays (half to all of each), so many pipelines do not hit a recovering server in
    /// step. Off for local destinations (files), where nobody else is waiting.
    /// </summary>
    public bool Jitter { get; init; } = true;

    /// <summary>The disk spool for batches the destination did not acknowledge; null: no spool (local sinks).</summary>
    public DiskSpoolOptions? Spool { get; init; }

    /// <summary>Where the spool's segments go (<c>&lt;DataDir&gt;/spool/&lt;sink&gt;</c>); required with <see cref="Spool"/>.</summary>
    public string? SpoolDirectory { get; init; }

    /// <summary>The discard reason when the last attempt failed and there is no spool.</summary>
    public string FailedReason { get; init; } = "write_failed";

    /// <summary>The stage of <c>pipeline_component_errors_total</c> counted for a failed attempt.</summary>
    public string WriteStage { get; init; } = "write";

    /// <summary>The key prefix of these settings in messages (<c>Pipeline:Sinks:ClickHouse</c>).</summary>
    public string KeyPrefix { get; init; } = "Pipeline:Sinks";
}
