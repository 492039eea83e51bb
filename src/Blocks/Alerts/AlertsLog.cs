using Microsoft.Extensions.Logging;

namespace Pipeline.Blocks.Alerts;

internal static partial class AlertsLog
{
    [LoggerMessage(1, LogLevel.Information, "Alert rules: {Count} loaded ({FromFile} from {Path}).")]
    public static partial void RulesLoaded(ILogger logger, int count, int fromFile, string path);

    [LoggerMessage(2, LogLevel.Error, "Alert rules file {Path} is invalid; the previous rules stay in force: {Error}")]
    public static partial void RulesFileInvalid(ILogger logger, string path, string error);

    [LoggerMessage(3, LogLevel.Information, "Alert state: {Count} alert(s) restored from {Path}.")]
    public static partial void StateLoaded(ILogger logger, int count, string path);

    [LoggerMessage(4, LogLevel.Error, "Alert state {Path} could not be read; starting without it.")]
    public static partial void StateLoadFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(5, LogLevel.Error, "Alert state {Path} could not be written; it is tried again at the next change.")]
    public static partial void StateSaveFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(6, LogLevel.Error, "Alert evaluation failed; it runs again at the next tick.")]
    public static partial void TickFailed(ILogger logger, Exception exception);

    [LoggerMessage(7, LogLevel.Error, "Alert matching failed for a batch of {Count} event(s); the batch was released.")]
    public static partial void BatchFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(8, LogLevel.Warning, "Alert rule {Rule} names channel {Channel}, which is not configured (Pipeline:Alerts:Channels).")]
    public static partial void UnknownChannel(ILogger logger, string rule, string channel);

    [LoggerMessage(9, LogLevel.Warning, "Alert state journal {Path} is cut short at line {Line} (a crash while it was written); the {Lines} line(s) from there are ignored.")]
    public static partial void StateJournalCut(ILogger logger, string path, int line, int lines);
}
