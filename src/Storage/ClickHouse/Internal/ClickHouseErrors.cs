using ClickHouse.Driver;

namespace Pipeline.Storage.ClickHouse.Internal;

/// <summary>Sorts INSERT failures: most are the server being away (retry, spool); a few mean the body itself is bad.</summary>
internal static class ClickHouseErrors
{
    /// <summary>
    /// The server read the body and refused the data (parse errors, wrong sizes): sending it again
    /// cannot succeed, so it is not retried or spooled. Everything else (connection refused,
    /// timeouts, authentication, memory, too many parts, a dropped table) may pass later.
    /// </summary>
    public static bool IsRejectedData(Exception exception) =>
        exception is ClickHouseServerException server && server.ErrorCode is
            6 or     // CANNOT_PARSE_TEXT
            26 or    // CANNOT_PARSE_QUOTED_STRING
            27 or    // CANNOT_PARSE_INPUT_ASSERTION_FAILED
            33 or    // CANNOT_READ_ALL_DATA
            38 or    // CANNOT_PARSE_DATE
            41 or    // CANNOT_PARSE_DATETIME
            53 or    // TYPE_MISMATCH
            69 or    // ARGUMENT_OUT_OF_BOUND
            72 or    // CANNOT_PARSE_NUMBER
            117 or   // INCORRECT_DATA
            131;     // TOO_LARGE_STRING_SIZE

    /// <summary>The table or a column went away: set the schema up again before the next attempt.</summary>
    public static bool IsSchemaGone(Exception exception) =>
        exception is ClickHouseServerException server && server.ErrorCode is 16 or 47 or 60 or 81;

    /// <summary>The first line of the message, short enough for a log line.</summary>
    public static string Describe(Exception exception)
    {
        var message = exception.GetBaseException().Message;
        var end = message.IndexOfAny(['\r', '\n']);
        if (end >= 0)
        {
            message = message[..end];
        }

        return message.Length > 300 ? message[..300] + "…" : message;
    }
}
