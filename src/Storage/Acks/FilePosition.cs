namespace Pipeline.Storage.Acks;

/// <summary>A place in the rolling files: a file name (not the path) and a byte offset at a frame boundary.</summary>
public readonly record struct FilePosition(string File, long Offset);
