using Microsoft.Extensions.Logging;

namespace Pipeline.Blocks.PatternMine;

internal static partial class PatternSnapshotLog
{
    [LoggerMessage(1, LogLevel.Information, "Pattern snapshot {Path} restored: {Count} templates (ids kept), {Dropped} beyond MaxTemplates dropped.")]
    public static partial void Restored(ILogger logger, string path, int count, int dropped);

    [LoggerMessage(2, LogLevel.Information, "No pattern snapshot at {Path}: starting with no templates.")]
    public static partial void Missing(ILogger logger, string path);

    [LoggerMessage(3, LogLevel.Error, "Pattern snapshot {Path} is unreadable ({Reason}); moved aside to {MovedTo} and starting with no templates, so template ids will differ from before. Inspect or delete the moved file.")]
    public static partial void Corrupt(ILogger logger, string path, string reason, string movedTo);

    [LoggerMessage(4, LogLevel.Error, "Pattern snapshot {Path} could not be written ({Reason}); the previous snapshot is kept. Check free space and permissions of the directory (Pipeline:PatternMine:Snapshots:Directory).")]
    public static partial void WriteFailed(ILogger logger, string path, string reason);

    [LoggerMessage(5, LogLevel.Error, "Pattern history {Path} could not be written ({Reason}); {Count} changes dropped.")]
    public static partial void HistoryFailed(ILogger logger, string path, string reason, int count);

    [LoggerMessage(6, LogLevel.Debug, "Pattern snapshot written: {Count} templates, {Changes} history records.")]
    public static partial void Written(ILogger logger, int count, int changes);
}
