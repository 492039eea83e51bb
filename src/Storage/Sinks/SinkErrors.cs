namespace Pipeline.Storage.Sinks;

internal static class SinkErrors
{
    /// <summary>The first line of the innermost message, short enough for a log line.</summary>
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
