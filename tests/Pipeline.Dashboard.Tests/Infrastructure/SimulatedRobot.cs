using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.Dashboard.Tests.Infrastructure;

/// <summary>
/// A robot on a real WebSocket session (<c>/ingest?robot_id=…</c>): it sends NDJSON events and answers the
/// server's commands as a robot does — get_status, get_config and get_logs with fixed state, any other
/// command with <c>{"pong":params}</c>.
/// </summary>
public sealed class SimulatedRobot : IAsyncDisposable
{
    public static readonly JsonObject Status = new() { ["battery"] = 81, ["state"] = "idle" };

    private readonly ClientWebSocket _socket;
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receive;

    private SimulatedRobot(ClientWebSocket socket, string id)
    {
        _socket = socket;
        Id = id;
        _receive = ReceiveAsync();
    }

    public string Id { get; }

    public static async Task<SimulatedRobot> ConnectAsync(int httpPort, string id)
    {
        var socket = new ClientWebSocket();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{httpPort}/ingest?robot_id={Uri.EscapeDataString(id)}"), limit.Token);
        return new SimulatedRobot(socket, id);
    }

    /// <summary>One event line of this robot.</summary>
    public Task SendEventAsync(string level, string message, string type = "log") =>
        SendAsync(new JsonObject { ["robot_id"] = Id, ["level"] = level, ["type"] = type, ["msg"] = message }.ToJsonString() + "\n");

    private async Task SendAsync(string text)
    {
        await _send.WaitAsync(_stop.Token);
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, _stop.Token);
        }
        finally
        {
            _send.Release();
        }
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                var node = JsonNode.Parse(message.GetBuffer().AsSpan(0, (int)message.Length));
                message.SetLength(0);
                if (node?["type"]?.GetValue<string>() == "command")
                {
                    await AnswerAsync(node);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (WebSocketException)
        {
        }
    }

    private Task AnswerAsync(JsonNode command)
    {
        var name = command["command"]?.GetValue<string>();
        JsonNode result = name switch
        {
            "get_status" => Status.DeepClone(),
            "get_config" => new JsonObject { ["max_speed"] = 1.5, ["zone"] = "hall-2" },
            "get_logs" => new JsonObject { ["lines"] = new JsonArray("boot ok", "arm calibrated") },
            _ => new JsonObject { ["pong"] = command["params"]?.DeepClone() },
        };
        var answer = new JsonObject
        {
            ["type"] = "command_response",
            ["command_id"] = command["command_id"]?.DeepClone(),
            ["success"] = true,
            ["result"] = result,
        };
        return SendAsync(answer.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", limit.Token);
        }
        catch (WebSocketException)
        {
        }
        catch (OperationCanceledException)
        {
        }

        await _stop.CancelAsync();
        await _receive;
        _socket.Dispose();
        _stop.Dispose();
        _send.Dispose();
    }
}
