namespace Pipeline.Storage.Files.Reading;

/// <summary>Where one whole LZ4 frame of a rolling file lies: its offset and length in bytes.</summary>
public readonly record struct FrameSpan(long Offset, int Length);
