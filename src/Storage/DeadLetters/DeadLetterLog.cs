using Microsoft.Extensions.Logging;

namespace Pipeline.Storage.DeadLetters;

internal static partial class DeadLetterLog
{
    [LoggerMessage(1, LogLevel.Error, "Writing a dead-letter record to {Directory} failed; it is counted in pipeline_deadletter_dropped_total.")]
    public static partial void WriteFailed(ILogger logger, Exception exception, string directory);
}
