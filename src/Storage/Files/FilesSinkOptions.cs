using Pipeline.Blocks.Configuration;
using Pipeline.Blocks.Graph;
using Pipeline.Storage.Sinks;

namespace Pipeline.Storage.Files;

/// <summary>Options of the rolling-files sink (<c>Pipeline:Sinks:Files</c>).</summary>
public sealed class FilesSinkOptions : IValidatedOptions
{
    /// <summary>Writes files at all. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Where files go. Default <c>&lt;DataDir&gt;/logs</c>.</summary>
    public string? Directory { get; set; }

    /// <summary>Roll when a file reaches this size (compressed bytes). Default 256 MiB.</summary>
    public long MaxFileBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Roll when a file is this old (checked on write). Default 1 h.</summary>
    public TimeSpan MaxFileAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Files kept; older ones are deleted on roll. Default 1000. 0 keeps all.</summary>
    public int RetainFiles { get; set; } = 1000;

    /// <summary>Files older than this are deleted on roll. Default 30 days. Zero keeps all.</summary>
    public TimeSpan RetainAge { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Event batches queued before the fan-out waits (<c>Pipeline:Sinks:Files:BoundedCapacity</c>; was <c>Pipeline:Blocks:Files:…</c>). Default 8.</summary>
    public int BoundedCapacity { get; set; } = 8;

    /// <summary>Batches encoded at once (NDJSON + LZ4, order kept); writing is sequential. Default 2.</summary>
    public int MaxDegreeOfParallelism { get; set; } = 2;

    /// <summary>Write retries before a batch is discarded (counted, reason <c>write_failed</c>). Default 10.</summary>
    public int WriteRetries { get; set; } = 10;

    /// <summary>
    /// Group commit: while frames are being written, the file is fsynced at most this often (one fsync for every
    /// write since the last), so a power cut loses at most this much of what was written. Zero: only on roll and
    /// shutdown. Default 1 s.
    /// </summary>
    public TimeSpan FsyncInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>File naming, rolling and retention for the shared rolling-file writer.</summary>
    internal Rolling.RollingFileOptions ToRollingOptions() => new()
    {
        Prefix = "pipeline",
        Extension = ".ndjson.lz4",
        MaxFileBytes = MaxFileBytes,
        MaxFileAge = MaxFileAge,
        RetainFiles = RetainFiles,
        RetainAge = RetainAge,
    };

    /// <summary>
    /// How the shared runner feeds this sink: every event batch its own frame, encoded in parallel,
    /// no spool (the disk is the destination), backoff without jitter (nobody else waits on a local disk).
    /// </summary>
    public SinkRunnerOptions ToRunnerOptions(BlockOptions block) => new()
    {
        BoundedCapacity = block.BoundedCapacity,
        EncodeParallelism = block.MaxDegreeOfParallelism,
        EncodeMode = SinkEncodeMode.EachBatch,
        WriteQueue = block.BoundedCapacity - 1,
        Attempts = WriteRetries + 1,
        RetryDelay = TimeSpan.FromMilliseconds(100),
        RetryMaxDelay = TimeSpan.FromSeconds(5),
        Jitter = false,
        FailedReason = "write_failed",
        WriteStage = "write",
        KeyPrefix = "Pipeline:Sinks:Files",
    };

    /// <inheritdoc />
    public void Validate(OptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        errors.Check(MaxFileBytes >= 4096, nameof(MaxFileBytes), $"must be at least 4096 (got {MaxFileBytes}).");
        errors.Check(MaxFileAge > TimeSpan.Zero, nameof(MaxFileAge), $"must be positive (got {MaxFileAge}).");
        errors.Check(RetainFiles >= 0, nameof(RetainFiles), $"must be 0 (keep all) or more (got {RetainFiles}).");
        errors.Check(RetainAge >= TimeSpan.Zero, nameof(RetainAge), $"must be zero (keep all) or positive (got {RetainAge}).");
        errors.Check(WriteRetries >= 0, nameof(WriteRetries), $"must be 0 or more (got {WriteRetries}).");
        errors.Check(FsyncInterval >= TimeSpan.Zero && FsyncInterval <= TimeSpan.FromHours(1), nameof(FsyncInterval),
            $"must be zero (only on roll and shutdown) or positive up to 01:00:00, e.g. 00:00:01 (got {FsyncInterval}).");
        errors.Check(BoundedCapacity >= 1, nameof(BoundedCapacity), $"must be at least 1 (got {BoundedCapacity}); the sink is never unbounded.");
        errors.Check(MaxDegreeOfParallelism >= 1, nameof(MaxDegreeOfParallelism), $"must be at least 1 (got {MaxDegreeOfParallelism}).");
    }
}
