namespace Pipeline.Client;

/// <summary>What PipelineClient.Log does when the buffer (and the spill, if any) is full.</summary>
public enum OverflowPolicy
{
    /// <summary>The caller waits until acknowledgements free room. Nothing is lost; a stalled server stalls the caller.</summary>
    Block,

    /// <summary>The oldest unacknowledged events are dropped to make room, and counted in <see cref="PipelineClient.Dropped"/>. The server reports the hole as a <c>seq_gap</c>.</summary>
    DropOldest,
}
