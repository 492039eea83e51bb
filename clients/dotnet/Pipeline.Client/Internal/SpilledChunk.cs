namespace Pipeline.Client.Internal;

/// <summary>One spill file: consecutive events from <see cref="FirstSeq"/>, in the order they are sent.</summary>
internal readonly record struct SpilledChunk(string Path, long FirstSeq, int Count, int Bytes);
