using Microsoft.Extensions.Logging;

namespace Pipeline.Client.Internal;

internal static partial class PipelineClientLog
{
    [LoggerMessage(1, LogLevel.Information, "Connected to {Uri} as robot '{RobotId}' boot {BootId}; the server holds up to seq {ResumeSeq}, {Buffered} event(s) to send.")]
    public static partial void Connected(ILogger logger, Uri uri, string robotId, string bootId, long resumeSeq, long buffered);

    [LoggerMessage(2, LogLevel.Warning, "Connection to {Uri} failed or ended ({Reason}); reconnecting in {Delay} with {Buffered} event(s) unacknowledged. Further failures until the next connect are logged at Debug.")]
    public static partial void Disconnected(ILogger logger, Uri uri, string reason, TimeSpan delay, long buffered, Exception? exception);

    [LoggerMessage(3, LogLevel.Debug, "Connection to {Uri} failed or ended again ({Reason}); reconnecting in {Delay}.")]
    public static partial void DisconnectedAgain(ILogger logger, Uri uri, string reason, TimeSpan delay);

    [LoggerMessage(4, LogLevel.Warning, "Closed with {Unacknowledged} event(s) unacknowledged: {Reason}")]
    public static partial void ClosedUnacknowledged(ILogger logger, long unacknowledged, string reason);
}
