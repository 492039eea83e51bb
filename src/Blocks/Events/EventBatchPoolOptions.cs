namespace Pipeline.Blocks.Events;

/// <summary>Sizes of pooled batches.</summary>
public sealed class EventBatchPoolOptions
{
    /// <summary>
    /// Batches kept for reuse. Default 64: about what the bounded blocks hold at full load; beyond it
    /// batches are left to the GC rather than pinning memory after a burst.
    /// </summary>
    public int MaxRetained { get; set; } = 64;

    /// <summary>
    /// Initial data buffer. Default 32 KiB: every connection that is accumulating holds a batch, and
    /// thousands of quiet robots must not each pin a full-size buffer; busy connections grow theirs.
    /// </summary>
    public int InitialBytes { get; set; } = 32 * 1024;

    /// <summary>Initial event slots. Default 128 (they grow like the buffer).</summary>
    public int InitialEvents { get; set; } = 128;

    /// <summary>A pooled batch whose buffer grew past this gives it back. Default 1 MiB.</summary>
    public int MaxRetainedBytes { get; set; } = 1024 * 1024;

    /// <summary>A pooled batch whose event array grew past this shrinks. Default 16384.</summary>
    public int MaxRetainedEvents { get; set; } = 16384;
}
