namespace Pipeline.Blocks.Acks;

/// <summary>
/// The connection that feeds an <see cref="AckStream"/> now: it takes the stream's acknowledgements to the robot, and
/// is closed when the stream lost events it had already taken, so the robot re-sends them.
/// </summary>
public interface IAckOwner
{
    /// <summary>Sends <c>{"type":"ack","boot_id":…,"seq":seq}</c>; never blocks (the send is queued on the connection).</summary>
    void SendAck(AckStream stream, long seq);

    /// <summary>Closes the connection without acknowledging: the robot reconnects and re-sends what is unacknowledged.</summary>
    void Resend(string reason);
}
