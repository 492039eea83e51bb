namespace Pipeline.Storage.Files;

/// <summary>One complete LZ4 frame holding a batch's events as NDJSON, in a pooled buffer.</summary>
internal readonly record struct EncodedFrame(byte[] Buffer, int Length, int Events);
