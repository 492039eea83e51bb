using System.Net.WebSockets;

namespace Pipeline.LoadTests.Fleet;

/// <summary>A robot on WebSocket: each write is one text message of NDJSON lines.</summary>
internal sealed class WebSocketRobotConnection : IRobotConnection
{
    private readonly ClientWebSocket _socket;

    private WebSocketRobotConnection(ClientWebSocket socket)
    {
        _socket = socket;
    }

    public static async Task<IRobotConnection> ConnectAsync(Uri url, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            await socket.ConnectAsync(url, cancellationToken).ConfigureAwait(false);
            return new WebSocketRobotConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public ValueTask SendAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken) =>
        _socket.SendAsync(lines, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    public async Task<string?> CloseAsync(CancellationToken cancellationToken)
    {
        // The close handshake: ours, then the server's.
        await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cancellationToken).ConfigureAwait(false);
        return _socket.CloseStatus is WebSocketCloseStatus.NormalClosure or null
            ? null
            : $"closed with {(int)_socket.CloseStatus!}: {_socket.CloseStatusDescription}";
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
