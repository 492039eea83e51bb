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

    /// <summary>
    /// Encoders working at once. Above 1, every event batch is encoded on its own (in parallel, order
    /// kept) and sealed at once; at 1, batches accumulate into one until a limit below is reached.
    /// </summary>
    public int EncodeParallelism { get; init; } = 1;

    /// <summary>Seal when this many events are pending (1: every event batch on its own).</summary>
    public int BatchMaxEvents { get; init; } = 1;

    /// <summary>Seal when this many bytes are pending.</summary>
    public long BatchMaxBytes { get; init; } = long.MaxValue;

    /// <summary>Seal when the first pending event is this old.</summary>
    public TimeSpan BatchMaxDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Sealed batches waiting for the writer (besides the one being written). Memory bound: each holds one encoded batch.</summary>
    public int WriteQueue { get; init; } = 1;

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
