namespace Pipeline.Blocks.Events;

/// <summary>Sizes of pooled batches.</summary>
public sealed class EventBatchPoolOptions
{
    /// <summary>Batches kept for reuse. Default 512.</summary>
    public int MaxRetained { get; set; } = 512;

    /// <summary>Initial data buffer. Default 512 KiB (a full ingest batch plus what blocks append).</summary>
    public int InitialBytes { get; set; } = 512 * 1024;

    /// <summary>Initial event slots. Default 1024.</summary>
    public int InitialEvents { get; set; } = 1024;

    /// <summary>A pooled batch whose buffer grew past this gives it back. Default 4 MiB.</summary>
    public int MaxRetainedBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>A pooled batch whose event array grew past this shrinks. Default 16384.</summary>
    public int MaxRetainedEvents { get; set; } = 16384;
}
