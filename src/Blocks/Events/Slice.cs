namespace Pipeline.Blocks.Events;

/// <summary>
/// A range of bytes inside an <see cref="EventBatch"/>'s data buffer. Offsets, not spans, so that a
/// batch can grow its buffer without invalidating the events that point into it.
/// </summary>
public readonly record struct Slice(int Offset, int Length)
{
    public static readonly Slice Empty = default;

    public bool IsEmpty => Length == 0;
}
