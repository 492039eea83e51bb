using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests.Acks;

/// <summary>
/// A robot speaking the ack protocol (docs/acks.md) by hand over TCP or WebSocket: it sends lines as the test says and
/// collects every message the server sends (acks, errors) until the server closes.
/// </summary>
internal sealed class AckPeer : IAsyncDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly TcpClient? _tcp;
    private readonly ClientWebSocket? _ws;
    private readonly Channel<JsonElement> _messages = Channel.CreateUnbounded<JsonElement>();
    private readonly Task _reading;
    private bool _aborted;

    private AckPeer(TcpClient? tcp, ClientWebSocket? ws)
    {
        _tcp = tcp;
        _ws = ws;
        _reading = tcp is not null ? ReadTcpAsync(tcp) : ReadWebSocketAsync(ws!);
    }

    /// <summary>The close status the server sent (WebSocket), once <see cref="Closed"/> completed.</summary>
    public WebSocketCloseStatus? CloseStatus => _ws?.CloseStatus;

    /// <summary>Completes when the server closed the connection.</summary>
    public Task Closed => _reading;

    public static async Task<AckPeer> ConnectAsync(TestPipeline pipeline, bool webSocket)
    {
        if (!webSocket)
        {
            var tcp = await pipeline.ConnectTcpAsync();
            tcp.NoDelay = true;
            return new AckPeer(tcp, null);
        }

        var ws = new ClientWebSocket();
        using var limit = new CancellationTokenSource(Limit);
        await ws.ConnectAsync(pipeline.WebSocketUri, limit.Token);
        return new AckPeer(null, ws);
    }

    public static string Hello(string robot, string boot) =>
        JsonSerializer.Serialize(new Dictionary<string, object> { ["type"] = "hello", ["robot_id"] = robot, ["boot_id"] = boot, ["acks"] = true });

    public static string Event(long seq, string msg = "numbered") => $"{{\"seq\":{seq},\"level\":\"INFO\",\"msg\":\"{msg} {seq}\"}}";

    /// <summary>Connects, says hello and returns the resume ack's seq.</summary>
    public static async Task<(AckPeer Peer, long Resume)> HelloAsync(TestPipeline pipeline, bool webSocket, string robot, string boot)
    {
        var peer = await ConnectAsync(pipeline, webSocket);
        await peer.SendAsync(Hello(robot, boot));
        var first = await peer.NextAsync();
        Assert.Equal("ack", first.GetProperty("type").GetString());
        Assert.Equal(boot, first.GetProperty("boot_id").GetString());
        return (peer, first.GetProperty("seq").GetInt64());
    }

    /// <summary>Sends lines: TCP one write, WebSocket one message.</summary>
    public async Task SendAsync(params string[] lines)
    {
        var bytes = Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");
        if (_tcp is not null)
        {
            await _tcp.GetStream().WriteAsync(bytes);
        }
        else
        {
            await _ws!.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
    }

    public Task SendEventsAsync(long from, long to) =>
        SendAsync([.. Enumerable.Range(0, (int)(to - from + 1)).Select(i => Event(from + i))]);

    /// <summary>The next message from the server (skipping heartbeats and commands).</summary>
    public async Task<JsonElement> NextAsync()
    {
        using var limit = new CancellationTokenSource(Limit);
        while (true)
        {
            if (!_messages.Reader.TryPeek(out _) && _reading.IsCompleted)
            {
                throw new InvalidOperationException($"the server closed the connection (close status {(int?)CloseStatus}: {_ws?.CloseStatusDescription})");
            }

            var read = _messages.Reader.WaitToReadAsync(limit.Token).AsTask();
            await Task.WhenAny(read, _reading);
            if (read.IsCanceled)
            {
                throw new TimeoutException($"the server said nothing for {Limit.TotalSeconds:0} s");
            }

            if (!_messages.Reader.TryRead(out var message))
            {
                continue;
            }

            if (message.GetProperty("type").GetString() is "ack" or "error")
            {
                return message;
            }
        }
    }

    /// <summary>Reads acks until one covers <paramref name="seq"/>; returns the acks seen on the way.</summary>
    public async Task<List<long>> WaitForAckAsync(long seq)
    {
        var acks = new List<long>();
        while (true)
        {
            var message = await NextAsync();
            Assert.Equal("ack", message.GetProperty("type").GetString());
            acks.Add(message.GetProperty("seq").GetInt64());
            if (acks[^1] >= seq)
            {
                return acks;
            }
        }
    }

    /// <summary>The acks still unread (after <see cref="Closed"/>: everything the server said before closing).</summary>
    public List<long> UnreadAcks()
    {
        var acks = new List<long>();
        while (_messages.Reader.TryRead(out var message))
        {
            if (message.GetProperty("type").GetString() == "ack")
            {
                acks.Add(message.GetProperty("seq").GetInt64());
            }
        }

        return acks;
    }

    /// <summary>Drops the connection without a goodbye (a robot losing its network).</summary>
    public void Abort()
    {
        if (_aborted)
        {
            return;
        }

        _aborted = true;
        if (_tcp is not null)
        {
            try
            {
                _tcp.Client.LingerState = new LingerOption(true, 0); // RST, not FIN
            }
            catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
            {
                // Closed by the server already.
            }

            _tcp.Close();
        }
        else
        {
            _ws!.Abort();
        }
    }

    public async Task CloseAsync()
    {
        if (_tcp is not null)
        {
            _tcp.Client.Shutdown(SocketShutdown.Send);
        }
        else if (_ws!.State == WebSocketState.Open)
        {
            await _ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        }

        await _reading.WaitAsync(Limit);
    }

    private async Task ReadTcpAsync(TcpClient tcp)
    {
        try
        {
            using var reader = new StreamReader(tcp.GetStream(), Encoding.UTF8);
            while (await reader.ReadLineAsync() is { } line)
            {
                _messages.Writer.TryWrite(JsonDocument.Parse(line).RootElement.Clone());
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
        {
            // The connection is gone (aborted by either side).
        }
    }

    private async Task ReadWebSocketAsync(ClientWebSocket ws)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var length = 0;
                WebSocketReceiveResult result;
                do
                {
                    result = await ws.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), CancellationToken.None);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                _messages.Writer.TryWrite(JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone());
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The connection is gone (aborted by either side).
        }
    }

    public async ValueTask DisposeAsync()
    {
        Abort();
        await _reading.WaitAsync(Limit);
        _tcp?.Dispose();
        _ws?.Dispose();
    }
}
