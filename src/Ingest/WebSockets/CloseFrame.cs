using System.Net.WebSockets;

namespace Pipeline.Ingest.WebSockets;

/// <summary>The close code and reason of a WebSocket session — the robot's or the server's, whichever closed first — for its <c>connection_closed</c> event.</summary>
internal sealed class CloseFrame
{
    public int? Code { get; set; }

    public string? Description { get; set; }

    /// <summary>Closes from the server's side and remembers why.</summary>
    public Task SendAsync(Robots.WebSocketRobotLink link, WebSocketCloseStatus status, string description)
    {
        Code ??= (int)status;
        Description ??= description;
        return link.CloseAsync(status, description);
    }
}
