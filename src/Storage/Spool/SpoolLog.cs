using Microsoft.Extensions.Logging;

namespace Pipeline.Storage.Spool;

internal static partial class SpoolLog
{
    [LoggerMessage(1, LogLevel.Information, "Spool {Directory}: {Records} record(s), {Rows} event(s), {Bytes} bytes left by a previous run; they are replayed first.")]
    public static partial void Recovered(ILogger logger, string directory, long records, long rows, long bytes);

    [LoggerMessage(2, LogLevel.Warning, "Spool {Directory}: segment {Segment} ends in a torn record at offset {Offset} (a crash mid-append); cut back to the last whole record.")]
    public static partial void TornTail(ILogger logger, string directory, string segment, long offset);

    [LoggerMessage(3, LogLevel.Error, "Spool {Directory}: record at offset {Offset} of segment {Segment} fails its checksum; the rest of that segment is skipped.")]
    public static partial void Corrupt(ILogger logger, string directory, string segment, long offset);
}
