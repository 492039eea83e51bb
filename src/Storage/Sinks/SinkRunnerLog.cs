using Microsoft.Extensions.Logging;

namespace Pipeline.Storage.Sinks;

internal static partial class SinkRunnerLog
{
    [LoggerMessage(1, LogLevel.Warning, "Sink {Sink}: {Destination} cannot be used ({Reason}); events are spooled to {Directory} and sent once it answers.")]
    public static partial void Unreachable(ILogger logger, string sink, string destination, string reason, string directory);

    [LoggerMessage(2, LogLevel.Error, "Sink {Sink}: {Destination} cannot be used ({Reason}); writes are retried with backoff.")]
    public static partial void UnreachableNoSpool(ILogger logger, string sink, string destination, string reason);

    [LoggerMessage(3, LogLevel.Error, "Sink {Sink}: {Destination} did not acknowledge a batch of {Events} events after {Attempts} attempt(s) ({Reason}); spooling to {Directory} until the destination answers.")]
    public static partial void Spooling(ILogger logger, string sink, string destination, int events, int attempts, string reason, string directory);

    [LoggerMessage(4, LogLevel.Error, "Sink {Sink}: a batch of {Events} events failed {Attempts} attempt(s) ({Reason}); it is discarded (pipeline_component_discarded_events_total reason \"{DiscardReason}\").")]
    public static partial void Discarding(ILogger logger, string sink, int events, int attempts, string reason, string discardReason);

    [LoggerMessage(5, LogLevel.Debug, "Sink {Sink}: an attempt failed ({Reason}).")]
    public static partial void AttemptFailed(ILogger logger, string sink, string reason);

    [LoggerMessage(6, LogLevel.Information, "Sink {Sink}: {Destination} answers again; the spool is replayed ({Events} events in {Batches} batches).")]
    public static partial void Recovered(ILogger logger, string sink, string destination, long events, long batches);

    [LoggerMessage(7, LogLevel.Error, "Sink {Sink}: the destination refused {Events} events for good ({Reason}: {Message}); they are discarded (pipeline_component_discarded_events_total reason \"{Reason}\").")]
    public static partial void Rejected(ILogger logger, string sink, int events, string reason, string message);

    [LoggerMessage(8, LogLevel.Error, "Sink {Sink}: {Message} ({Key}). {Events} events are discarded (reason \"{Reason}\") until the destination answers and the spool drains.")]
    public static partial void SpoolFull(ILogger logger, string sink, string message, string key, int events, string reason);

    [LoggerMessage(9, LogLevel.Error, "Sink {Sink}: {Message} Events are kept in the spool until it is fixed.")]
    public static partial void SetupFailed(ILogger logger, string sink, string message);

    [LoggerMessage(10, LogLevel.Error, "Sink {Sink}: encoding a batch failed; its {Events} events are discarded (reason \"encode_failed\").")]
    public static partial void EncodeFailed(ILogger logger, Exception exception, string sink, int events);

    [LoggerMessage(11, LogLevel.Debug, "Sink {Sink}: replaying a spooled batch failed ({Reason}); next try in {Delay}.")]
    public static partial void ReplayFailed(ILogger logger, string sink, string reason, TimeSpan delay);

    [LoggerMessage(12, LogLevel.Information, "Sink {Sink} stopped: {Written} events written, {Discarded} discarded.")]
    public static partial void Stopped(ILogger logger, string sink, long written, long discarded);

    [LoggerMessage(13, LogLevel.Warning, "Sink {Sink} stopped: {Written} events written, {Spooled} events left in the spool {Directory} (sent at the next start), {Discarded} discarded.")]
    public static partial void StoppedWithSpool(ILogger logger, string sink, long written, long spooled, string directory, long discarded);

    [LoggerMessage(14, LogLevel.Error, "Sink {Sink}: a replayed batch was delivered but cannot be removed from the spool ({Reason}); trying again in {Delay} (not sending it again).")]
    public static partial void SpoolAcknowledgeFailed(ILogger logger, string sink, string reason, TimeSpan delay);
}
