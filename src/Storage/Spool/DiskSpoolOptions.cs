using Pipeline.Blocks.Configuration;

namespace Pipeline.Storage.Spool;

/// <summary>Options of a sink's disk spool (<c>Pipeline:Sinks:&lt;Sink&gt;:Spool</c>).</summary>
public sealed class DiskSpoolOptions : IValidatedOptions
{
    /// <summary>Where the segment files go. Default <c>&lt;DataDir&gt;/spool/&lt;sink&gt;</c>.</summary>
    public string? Directory { get; set; }

    /// <summary>The spool holds at most this many bytes; past it, appends fail with a clear error. Default 8 GiB.</summary>
    public long MaxBytes { get; set; } = 8L * 1024 * 1024 * 1024;

    /// <summary>A segment file is closed and a new one started at this size. Default 64 MiB.</summary>
    public long SegmentBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Each append is flushed to the disk (fsync), not only to the OS, before it counts as spooled. Default true.</summary>
    public bool Fsync { get; set; } = true;

    /// <inheritdoc />
    public void Validate(OptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        errors.Check(SegmentBytes >= 64 * 1024, nameof(SegmentBytes), $"must be at least 64 KiB (got {SegmentBytes}).");
        errors.Check(MaxBytes >= SegmentBytes, nameof(MaxBytes), $"must be at least Spool:SegmentBytes (got {MaxBytes}).");
    }
}
