namespace Pipeline.Blocks.Events;

/// <summary>
/// Recognises control messages by their <c>type</c> (JSON-escaped UTF-8, without quotes). A robot's
/// <c>heartbeat</c> is not one of them: it stays an event, so alert rules can watch for its absence and analysts
/// count it; for presence it is traffic like any other line.
/// </summary>
public static class ControlMessages
{
    /// <summary>True when <paramref name="type"/> names a control message; a length switch first, so log events cost one compare.</summary>
    public static bool TryParse(ReadOnlySpan<byte> type, out ControlMessage kind)
    {
        switch (type.Length)
        {
            case 5 when type.SequenceEqual("hello"u8):
                kind = ControlMessage.Hello;
                return true;
            case 16 when type.SequenceEqual("command_response"u8):
                kind = ControlMessage.CommandResponse;
                return true;
            default:
                kind = default;
                return false;
        }
    }
}
