using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests.Infrastructure;

/// <summary>
/// A robot on a real WebSocket that hears the server's control messages, as a robot's client library would: each
/// <c>command</c> (the get_status/get_config/get_logs asked on connect too) gets the <c>command_response</c> that
/// <see cref="Answer"/> gives (none when it gives null), and, with <c>answerHeartbeats</c>, each server heartbeat
/// one back. Tests wait on what the robot received (<see cref="ReceivedAsync"/>, <see cref="HeartbeatAsync"/>)
/// instead of sleeping.
/// </summary>
public sealed class CommandedRobot : IAsyncDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly ClientWebSocket _socket;
    private readonly bool _answerHeartbeats;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<RobotCommand>> _received = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, TaskCompletionSource> _heartbeats = new();
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly Task _receiving;
    private int _heartbeatCount;

    private CommandedRobot(ClientWebSocket socket, Func<RobotCommand, RobotAnswer?> answer, bool answerHeartbeats)
    {
        _socket = socket;
        Answer = answer;
        _answerHeartbeats = answerHeartbeats;
        _receiving = ReceiveAsync();
    }

    /// <summary>The robot's answer to a command, or null for none (a robot that hangs). Tests may change it.</summary>
    public Func<RobotCommand, RobotAnswer?> Answer { get; set; }

    /// <summary>Set when the server closed the connection: its close status, else null.</summary>
    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    /// <summary>
    /// Connects as <paramref name="robotId"/> (<c>?robot_id=</c>, so the session is the robot's from the start).
    /// <paramref name="answer"/> decides each command's response; by default there is none.
    /// </summary>
    public static async Task<CommandedRobot> ConnectAsync(TestPipeline pipeline, string robotId, Func<RobotCommand, RobotAnswer?>? answer = null,
        bool answerHeartbeats = false, string userAgent = "test-robot/1.0")
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("User-Agent", userAgent);
        using var limit = new CancellationTokenSource(Limit);
        await socket.ConnectAsync(new Uri($"{pipeline.WebSocketUri}?robot_id={Uri.EscapeDataString(robotId)}"), limit.Token);
        return new CommandedRobot(socket, answer ?? (_ => null), answerHeartbeats);
    }

    /// <summary>
    /// The first <paramref name="command"/> the server sent (at once when it came already), after it was answered.
    /// Receiving <c>get_status</c> proves the session is attached to its robot: the server asks only then.
    /// </summary>
    public Task<RobotCommand> ReceivedAsync(string command) => Waiter(command).Task.WaitAsync(Limit);

    /// <summary>Completes when the server's <paramref name="count"/>th heartbeat arrived (and was answered, if the robot answers them).</summary>
    public Task HeartbeatAsync(int count) => Heartbeat(count).Task.WaitAsync(Limit);

    /// <summary>Ends when the server closes the connection (or drops it); true when it sent a close frame.</summary>
    public async Task<bool> WaitClosedAsync()
    {
        await _receiving.WaitAsync(Limit);
        return _socket.CloseStatus is not null;
    }

    /// <summary>Sends one text message (NDJSON lines, or a control message).</summary>
    public async Task SendAsync(string text)
    {
        await _send.WaitAsync();
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            }
        }
        finally
        {
            _send.Release();
        }
    }

    /// <summary>Replies to <paramref name="command"/> (for a command <see cref="Answer"/> left unanswered).</summary>
    public Task RespondAsync(RobotCommand command, RobotAnswer answer) =>
        SendAsync(JsonSerializer.Serialize(new
        {
            type = "command_response",
            command_id = command.CommandId,
            success = answer.Success,
            result = answer.Result,
            error = answer.Error,
        }));

    /// <summary>The normal goodbye with <paramref name="status"/> and <paramref name="reason"/>, then the server's.</summary>
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

    private TaskCompletionSource<RobotCommand> Waiter(string command) =>
        _received.GetOrAdd(command, _ => new TaskCompletionSource<RobotCommand>(TaskCreationOptions.RunContinuationsAsynchronously));

    private TaskCompletionSource Heartbeat(int count) =>
        _heartbeats.GetOrAdd(count, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

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

                var text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
                message.SetLength(0);
                await HandleAsync(text);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Aborted by the test, or dropped by the server.
        }
    }

    private async Task HandleAsync(string text)
    {
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        switch (root.GetProperty("type").GetString())
        {
            case "heartbeat":
                if (_answerHeartbeats)
                {
                    await SendAsync("{\"type\":\"heartbeat\"}");
                }

                Heartbeat(Interlocked.Increment(ref _heartbeatCount)).TrySetResult();
                break;
            case "command":
                var command = new RobotCommand(
                    root.GetProperty("command_id").GetString()!,
                    root.GetProperty("command").GetString()!,
                    root.TryGetProperty("params", out var p) ? p.Clone() : default);
                if (Answer(command) is { } answer)
                {
                    await RespondAsync(command, answer);
                }

                // After the answer went out: a test that waits for this command may count on it having been answered.
                Waiter(command.Command).TrySetResult(command);
                break;
        }
    }
}
