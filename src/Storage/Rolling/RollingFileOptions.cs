namespace Pipeline.Storage.Rolling;

/// <summary>How a <see cref="RollingFileWriter"/> names, rolls and retains its files (built from a component's own options).</summary>
internal sealed class RollingFileOptions
{
    /// <summary>File name prefix: <c>pipeline</c>, <c>deadletter</c>.</summary>
    public required string Prefix { get; init; }

    /// <summary>File name ending: <c>.ndjson.lz4</c>, <c>.ndjson</c>.</summary>
    public required string Extension { get; init; }

    /// <summary>Roll when a file reaches this size.</summary>
    public long MaxFileBytes { get; init; } = long.MaxValue;

    /// <summary>Roll when a file is this old (checked on write).</summary>
    public TimeSpan MaxFileAge { get; init; } = TimeSpan.MaxValue;

    /// <summary>Files kept (the one being written included); older ones are deleted on roll. 0 keeps all.</summary>
    public int RetainFiles { get; init; }

    /// <summary>Files older than this are deleted on roll. Zero keeps all.</summary>
    public TimeSpan RetainAge { get; init; }
}
