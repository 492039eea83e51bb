using Microsoft.Extensions.Logging;

namespace Pipeline.Storage.Files;

internal static partial class FilesLog
{
    [LoggerMessage(1, LogLevel.Error, "Writing to the rolling files failed (attempt {Attempt} of {Retries}); retrying with backoff. Check the disk and Pipeline:Sinks:Files:Directory.")]
    public static partial void WriteFailed(ILogger logger, Exception exception, int attempt, int retries);

    [LoggerMessage(2, LogLevel.Error, "fsync of the rolling file failed; tried again at the next Pipeline:Sinks:Files:FsyncInterval.")]
    public static partial void FsyncFailed(ILogger logger, Exception exception);
}
