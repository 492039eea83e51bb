namespace Pipeline.Ingest.Robots;

/// <summary>The server's side of a robot's connection: how control messages reach it, and how presence closes it.</summary>
internal interface IRobotLink
{
    /// <summary>The connection carries control messages to the robot (WebSocket): heartbeats and commands.</summary>
    bool CanSend { get; }

    /// <summary>Sends one control message (a JSON object, no newline); false when the connection is gone or the send was cancelled.</summary>
    ValueTask<bool> SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken);

    /// <summary>Ends the connection from the server's side (heartbeat timeout), saying <paramref name="reason"/> where the protocol can.</summary>
    void Close(string reason);

    /// <summary>
    /// Sends a reply every transport carries (an ack, an error: a JSON object, no newline), in order with the other
    /// sends; false when the connection is gone. TCP writes it as a line.
    /// </summary>
    ValueTask<bool> SendReplyAsync(ReadOnlyMemory<byte> message);

    /// <summary>Ends the connection with a WebSocket close <paramref name="code"/> and <paramref name="reason"/> (TCP: just closes).</summary>
    void Close(int code, string reason);
}
