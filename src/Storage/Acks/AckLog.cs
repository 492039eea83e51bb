using Microsoft.Extensions.Logging;

namespace Pipeline.Storage.Acks;

internal static partial class AckLog
{
    [LoggerMessage(EventId = 9001, Level = LogLevel.Information,
        Message = "Acks: {Streams} robot boot(s) remembered; read {Files} rolling file(s), {Lines} line(s) after the last snapshot in {Milliseconds:0} ms")]
    public static partial void Recovered(ILogger logger, int streams, int files, long lines, double milliseconds);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Warning,
        Message = "Acks: {Path} cannot be read ({Reason}); every rolling file is read instead to recover the highest durable seq per boot")]
    public static partial void SnapshotUnreadable(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Warning, Message = "Acks: saving {Path} failed; it is tried again at the next interval")]
    public static partial void SnapshotFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Warning,
        Message = "Acks: forgot {Count} quiet robot boot(s) to stay within Pipeline:Acks:MaxStreams={Max} (their re-sends would be written again); at {Now}")]
    public static partial void Evicted(ILogger logger, int count, int max, long now);
}
