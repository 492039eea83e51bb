using Microsoft.Extensions.Logging;

namespace Pipeline.Storage.Alerting;

internal static partial class AlertingLog
{
    [LoggerMessage(1, LogLevel.Debug, "Alert channel {Channel}: sent a message of {Groups} group(s), {Count} event(s) to {Destination}.")]
    public static partial void Sent(ILogger logger, string channel, int groups, long count, string destination);

    [LoggerMessage(2, LogLevel.Warning, "Alert channel {Channel}: a message of {Notices} notice(s) failed {Attempts} attempt(s) and is dropped: {Error}")]
    public static partial void SendFailed(ILogger logger, string channel, long notices, int attempts, string error);

    [LoggerMessage(3, LogLevel.Warning, "Alert channel {Channel}: its queue of {Capacity} notices is full; new notices are dropped (reason queue_full) until it sends again.")]
    public static partial void QueueFull(ILogger logger, string channel, int capacity);

    [LoggerMessage(4, LogLevel.Information, "Alert channel {Channel} ({Destination}) stopped: {Sent} message(s) sent, {Failed} failed, {Dropped} notice(s) dropped.")]
    public static partial void Stopped(ILogger logger, string channel, string destination, long sent, long failed, long dropped);

    [LoggerMessage(5, LogLevel.Warning, "Alert channel {Channel}: still sending after {Seconds} s at stop; what is pending is dropped (reason shutdown).")]
    public static partial void StopTimedOut(ILogger logger, string channel, double seconds);

    [LoggerMessage(6, LogLevel.Debug, "A notice for unknown alert channel '{Name}' is dropped (known: {Known}).")]
    public static partial void UnknownChannel(ILogger logger, string name, string known);
}
