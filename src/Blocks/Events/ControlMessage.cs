namespace Pipeline.Blocks.Events;

/// <summary>The robot → server control messages of the wire protocol (DESIGN, "Wire protocol"): not log events.</summary>
public enum ControlMessage
{
    /// <summary><c>{"type":"hello","robot_id":…}</c>: names the session's robot.</summary>
    Hello,

    /// <summary><c>{"type":"command_response","command_id":…,"success":…,"result":…}</c>.</summary>
    CommandResponse,
}
