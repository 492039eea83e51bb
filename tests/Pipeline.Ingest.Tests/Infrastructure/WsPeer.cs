using System.Net.WebSockets;
using System.Text;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests.Infrastructure;

/// <summary>A robot on a real WebSocket to <c>/ingest</c>.</summary>
public sealed class WsPeer : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private WsPeer(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    /// <summary>Connects to the pipeline's <c>/ingest</c>; <paramref name="configure"/> sets client options first (a wss:// certificate check).</summary>
    /// <param name="query">Appended to <c>/ingest</c>, e.g. <c>?robot_id=r1&amp;token=…</c>.</param>
    public static async Task<WsPeer> ConnectAsync(TestPipeline pipeline, Action<ClientWebSocketOptions>? configure = null, string query = "")
    {
        var socket = new ClientWebSocket();
        configure?.Invoke(socket.Options);
        using var limit = new CancellationTokenSource(Limit);
        await socket.ConnectAsync(new Uri(pipeline.WebSocketUri + query), limit.Token);
        return new WsPeer(socket);
    }

    /// <summary>Sends a text frame; with <paramref name="endOfMessage"/> false the message goes on in the next frame.</summary>
    public async Task SendTextAsync(string text, bool endOfMessage = true) =>
        await Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage, CancellationToken.None);

    public async Task SendBinaryAsync(byte[] bytes) =>
        await Socket.SendAsync(bytes, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);

    /// <summary>Waits for the server's close frame (skipping anything else it sends) and returns its status.</summary>
    public async Task<WebSocketCloseStatus?> ReceiveCloseAsync()
    {
        var buffer = new byte[4096];
        using var limit = new CancellationTokenSource(Limit);
        while (true)
        {
            var result = await Socket.ReceiveAsync(buffer, limit.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return result.CloseStatus;
            }
        }
    }

    /// <summary>Like <see cref="ReceiveCloseAsync"/>, but null when the server dropped the connection without a close frame.</summary>
    public async Task<WebSocketCloseStatus?> TryReceiveCloseAsync()
    {
        try
        {
            return await ReceiveCloseAsync();
        }
        catch (WebSocketException)
        {
            return null;
        }
    }

    /// <summary>The normal goodbye: close frame, then wait for the server's.</summary>
    public async Task CloseAsync()
    {
        using var limit = new CancellationTokenSource(Limit);
        await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", limit.Token);
    }

    public void Dispose() => Socket.Dispose();
}
