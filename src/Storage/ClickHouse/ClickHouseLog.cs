using Microsoft.Extensions.Logging;

namespace Pipeline.Storage.ClickHouse;

internal static partial class ClickHouseLog
{
    [LoggerMessage(1, LogLevel.Information, "ClickHouse {Endpoint} (version {Version}) ready: writing to {Database}.{Table}, {Layout} layout.")]
    public static partial void Ready(ILogger logger, string endpoint, string version, string database, string table, string layout);

    [LoggerMessage(2, LogLevel.Warning, "ClickHouse at {Endpoint} cannot be used ({Reason}); events are spooled to {Directory} and sent once it can.")]
    public static partial void Unreachable(ILogger logger, string endpoint, string reason, string directory);

    [LoggerMessage(3, LogLevel.Error, "ClickHouse at {Endpoint} did not acknowledge an INSERT of {Rows} rows after {Attempts} attempt(s) ({Reason}); spooling to {Directory} until it answers.")]
    public static partial void Spooling(ILogger logger, string endpoint, int rows, int attempts, string reason, string directory);

    [LoggerMessage(4, LogLevel.Debug, "ClickHouse INSERT attempt {Attempt} failed ({Reason}); retrying in {Delay}.")]
    public static partial void Retrying(ILogger logger, int attempt, string reason, TimeSpan delay);

    [LoggerMessage(5, LogLevel.Information, "ClickHouse at {Endpoint} answers again: the spool is replayed ({Rows} rows in {Inserts} INSERTs).")]
    public static partial void Recovered(ILogger logger, string endpoint, long rows, long inserts);

    [LoggerMessage(6, LogLevel.Error, "ClickHouse rejected an INSERT of {Rows} rows as malformed ({Reason}); they are discarded (pipeline_component_discarded_events_total reason \"rejected\").")]
    public static partial void Rejected(ILogger logger, int rows, string reason);

    [LoggerMessage(7, LogLevel.Error, "{Message} {Rows} events are discarded (reason \"spool_full\") until ClickHouse answers and the spool drains.")]
    public static partial void SpoolFull(ILogger logger, string message, int rows);

    [LoggerMessage(8, LogLevel.Error, "{Message} Events are kept in the spool until the table is fixed.")]
    public static partial void SchemaMismatch(ILogger logger, string message);

    [LoggerMessage(9, LogLevel.Error, "Encoding a batch for ClickHouse failed; its {Rows} events are discarded (reason \"encode_failed\").")]
    public static partial void EncodeFailed(ILogger logger, Exception exception, int rows);

    [LoggerMessage(10, LogLevel.Debug, "Replaying a spooled INSERT failed ({Reason}); next try in {Delay}.")]
    public static partial void ReplayFailed(ILogger logger, string reason, TimeSpan delay);
}
