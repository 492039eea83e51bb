using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests.Infrastructure;

/// <summary>
/// A robot on a real WebSocket that hears the server's control messages: every text message it receives is queued
/// (commands, heartbeats), and <see cref="Answer"/> decides, per command, what it replies (null: it stays silent).
/// </summary>
public sealed class CommandedRobot : IAsyncDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly ClientWebSocket _socket;
    private readonly Channel<JsonElement> _messages = Channel.CreateUnbounded<JsonElement>();
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly Task _receiving;

    private CommandedRobot(ClientWebSocket socket, Func<JsonElement, string?> answer)
    {
        _socket = socket;
        Answer = answer;
        _receiving = ReceiveAsync();
    }

    /// <summary>The reply's <c>result</c> JSON for a command (its message), or null for no reply. Default: none.</summary>
    public Func<JsonElement, string?> Answer { get; set; }

    /// <summary>Set when the server closed the connection: its close status, else null.</summary>
    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public string? CloseDescription => _socket.CloseStatusDescription;

    /// <summary>Connects as <paramref name="robotId"/> (<c>?robot_id=</c>); <paramref name="answer"/> replies to commands.</summary>
    public static async Task<CommandedRobot> ConnectAsync(TestPipeline pipeline, string robotId, Func<JsonElement, string?>? answer = null,
        string userAgent = "test-robot/1.0")
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("User-Agent", userAgent);
        using var limit = new CancellationTokenSource(Limit);
        await socket.ConnectAsync(new Uri($"{pipeline.WebSocketUri}?robot_id={Uri.EscapeDataString(robotId)}"), limit.Token);
        return new CommandedRobot(socket, answer ?? (_ => null));
    }

    /// <summary>The next message from the server of <paramref name="type"/> (and, if given, <paramref name="command"/>); others are skipped.</summary>
    public async Task<JsonElement> NextAsync(string type, string? command = null)
    {
        using var limit = new CancellationTokenSource(Limit);
        while (true)
        {
            var message = await _messages.Reader.ReadAsync(limit.Token);
            if (message.GetProperty("type").GetString() == type &&
                (command is null || message.GetProperty("command").GetString() == command))
            {
                return message;
            }
        }
    }

    /// <summary>Ends when the server closes the connection (or drops it); true when it sent a close frame.</summary>
    public async Task<bool> WaitClosedAsync()
    {
        await _receiving.WaitAsync(Limit);
        return _socket.CloseStatus is not null;
    }

    public async Task SendAsync(string text)
    {
        await _send.WaitAsync();
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        finally
        {
            _send.Release();
        }
    }

    /// <summary>Replies to <paramref name="command"/> with <c>success</c> and a raw JSON <paramref name="result"/>.</summary>
    public Task RespondAsync(JsonElement command, bool success, string result, string? error = null) =>
        SendAsync($"{{\"type\":\"command_response\",\"command_id\":\"{command.GetProperty("command_id").GetString()}\",\"success\":{(success ? "true" : "false")}," +
                  $"\"result\":{result}{(error is null ? "" : $",\"error\":{JsonSerializer.Serialize(error)}")}}}");

    /// <summary>The normal goodbye with <paramref name="status"/> and <paramref name="reason"/>.</summary>
    public async Task CloseAsync(WebSocketCloseStatus status = WebSocketCloseStatus.NormalClosure, string reason = "done")
    {
        using var limit = new CancellationTokenSource(Limit);
        await _send.WaitAsync(limit.Token);
        try
        {
            await _socket.CloseAsync(status, reason, limit.Token);
        }
        finally
        {
            _send.Release();
        }

        await _receiving.WaitAsync(Limit);
    }

    /// <summary>Drops the connection without a close frame, as a robot losing power does.</summary>
    public void Abort() => _socket.Abort();

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        try
        {
            await _receiving.WaitAsync(Limit);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }

        _socket.Dispose();
        _send.Dispose();
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (_socket.State == WebSocketState.CloseReceived)
                    {
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                    }

                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                using var document = JsonDocument.Parse(message.ToArray());
                message.SetLength(0);
                var received = document.RootElement.Clone();
                _messages.Writer.TryWrite(received);
                if (received.GetProperty("type").GetString() == "command" && Answer(received) is { } reply)
                {
                    await RespondAsync(received, success: true, reply);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Aborted by the test or dropped by the server.
        }
        finally
        {
            _messages.Writer.TryComplete();
        }
    }
}
