using Microsoft.Extensions.Logging;

namespace Pipeline.Storage.ClickHouse.Patterns;

internal static partial class ClickHousePatternsLog
{
    [LoggerMessage(101, LogLevel.Information, "ClickHouse patterns table {Database}.{Table} ready ({Layout} layout): changed templates are written every {Interval}.")]
    public static partial void Ready(ILogger logger, string database, string table, string layout, TimeSpan interval);

    [LoggerMessage(102, LogLevel.Warning, "ClickHouse at {Endpoint} cannot take template rows for {Table} ({Reason}); each round (every {Interval}) tries again with every template still unwritten. Said once until it works.")]
    public static partial void RoundFailed(ILogger logger, string endpoint, string table, string reason, TimeSpan interval);

    [LoggerMessage(103, LogLevel.Information, "ClickHouse takes template rows for {Table} again: {Rows} written.")]
    public static partial void Recovered(ILogger logger, string table, int rows);

    [LoggerMessage(104, LogLevel.Error, "The last round of template rows at shutdown failed ({Reason}): {Rows} changes since the last write are not in {Table}. Counts resume from the next start (kept across restarts with Pipeline:PatternMine:Snapshots).")]
    public static partial void FinalRoundFailed(ILogger logger, string reason, int rows, string table);
}
