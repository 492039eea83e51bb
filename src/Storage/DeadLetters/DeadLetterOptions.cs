using Pipeline.Blocks.Configuration;

namespace Pipeline.Storage.DeadLetters;

/// <summary>Options of the dead-letter files (<c>Pipeline:DeadLetter</c>).</summary>
public sealed class DeadLetterOptions : IValidatedOptions
{
    /// <summary>Where dead letters go. Default <c>&lt;DataDir&gt;/deadletter</c>.</summary>
    public string? Directory { get; set; }

    /// <summary>Bytes of the rejected input kept per record. Default 1024.</summary>
    public int MaxBytesPerRecord { get; set; } = 1024;

    /// <summary>Records waiting to be written; beyond it records are counted in <c>pipeline_deadletter_dropped_total</c>. Default 10000.</summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Roll a dead-letter file at this size. Default 64 MiB.</summary>
    public long MaxFileBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Dead-letter files kept. Default 20.</summary>
    public int RetainFiles { get; set; } = 20;

    /// <inheritdoc />
    public void Validate(OptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        errors.Check(MaxBytesPerRecord is >= 16 and <= 1024 * 1024, nameof(MaxBytesPerRecord), $"must be 16 B to 1 MiB (got {MaxBytesPerRecord}).");
        errors.Check(QueueCapacity >= 1, nameof(QueueCapacity), $"must be at least 1 (got {QueueCapacity}).");
        errors.Check(MaxFileBytes >= 4096, nameof(MaxFileBytes), $"must be at least 4096 (got {MaxFileBytes}).");
        errors.Check(RetainFiles >= 1, nameof(RetainFiles), $"must be at least 1 (got {RetainFiles}).");
    }
}
