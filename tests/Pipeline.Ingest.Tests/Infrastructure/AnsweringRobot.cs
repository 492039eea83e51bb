using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests.Infrastructure;

/// <summary>
/// A robot on a real WebSocket that answers what the server sends it, as a robot's client library would: every
/// <c>command</c> (the get_status/get_config/get_logs asked on connect too) gets a <c>command_response</c> with the
/// same <c>command_id</c> from <c>answer</c>, and every server <c>heartbeat</c> one back. Tests wait on
/// <see cref="ReceivedAsync"/> — the server's command observed by the robot — instead of sleeping.
/// </summary>
public sealed class AnsweringRobot : IAsyncDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly WsPeer _peer;
    private readonly Func<RobotCommand, RobotAnswer?> _answer;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<RobotCommand>> _received = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RobotCommand> _commands = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource> _heartbeats = new();
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _heartbeatCount;

    private AnsweringRobot(WsPeer peer, Func<RobotCommand, RobotAnswer?> answer)
    {
        _peer = peer;
        _answer = answer;
        _loop = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>Every command received so far, in order.</summary>
    public IReadOnlyList<RobotCommand> Commands => [.. _commands];

    /// <summary>Completes when the robot has answered the server's <paramref name="count"/>th heartbeat.</summary>
    public Task HeartbeatAnsweredAsync(int count) => Heartbeat(count).Task.WaitAsync(Limit);

    /// <summary>
    /// Connects as <paramref name="robotId"/> (<c>?robot_id=</c>, so the session is the robot's from the start).
    /// <paramref name="answer"/> decides each command's response; null from it means no answer at all (a robot that hangs).
    /// By default every command succeeds with <c>{"command":NAME}</c>.
    /// </summary>
    public static async Task<AnsweringRobot> ConnectAsync(TestPipeline pipeline, string robotId, Func<RobotCommand, RobotAnswer?>? answer = null)
    {
        var peer = await WsPeer.ConnectAsync(pipeline, query: "?robot_id=" + Uri.EscapeDataString(robotId));
        return new AnsweringRobot(peer, answer ?? (command => RobotAnswer.Ok(new { command = command.Command })));
    }

    /// <summary>
    /// The first <paramref name="command"/> the server sent (at once when it already came). Receiving <c>get_status</c>
    /// proves the session is attached to its robot: the server asks only then.
    /// </summary>
    public Task<RobotCommand> ReceivedAsync(string command) => Waiter(command).Task.WaitAsync(Limit);

    /// <summary>Sends a log event line, as the robot's logger would.</summary>
    public async Task SendEventAsync(string json) => await SendAsync(json);

    /// <summary>The robot's goodbye: close frame, then the server's.</summary>
    public async Task CloseAsync()
    {
        await _send.WaitAsync();
        try
        {
            using var limit = new CancellationTokenSource(Limit);
            await _peer.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", limit.Token);
        }
        finally
        {
            _send.Release();
        }

        await _loop.WaitAsync(Limit);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop.WaitAsync(Limit);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // The loop ends with the socket.
        }

        _peer.Dispose();
        _stop.Dispose();
        _send.Dispose();
    }

    private TaskCompletionSource<RobotCommand> Waiter(string command) =>
        _received.GetOrAdd(command, _ => new TaskCompletionSource<RobotCommand>(TaskCreationOptions.RunContinuationsAsynchronously));

    private TaskCompletionSource Heartbeat(int count) =>
        _heartbeats.GetOrAdd(count, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[16 * 1024];
        var message = new MemoryStream();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                WebSocketReceiveResult result;
                try
                {
                    result = await _peer.Socket.ReceiveAsync(buffer, _stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
                {
                    return; // disposed, or the server dropped the connection
                }

                if (result.MessageType == WebSocketMessageType.Close)
                {
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
        catch (Exception ex)
        {
            // An answer that threw, or a message that is not what the protocol says: fail whoever waits, not silently.
            foreach (var waiter in _received.Values)
            {
                waiter.TrySetException(ex);
            }

            foreach (var waiter in _heartbeats.Values)
            {
                waiter.TrySetException(ex);
            }

            throw;
        }
    }

    private async Task HandleAsync(string text)
    {
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        switch (root.GetProperty("type").GetString())
        {
            case "heartbeat":
                await SendAsync("{\"type\":\"heartbeat\"}");
                Heartbeat(Interlocked.Increment(ref _heartbeatCount)).TrySetResult();
                break;
            case "command":
                var command = new RobotCommand(
                    root.GetProperty("command_id").GetString()!,
                    root.GetProperty("command").GetString()!,
                    root.TryGetProperty("params", out var p) ? p.Clone() : default);
                _commands.Enqueue(command);
                var answer = _answer(command);
                if (answer is not null)
                {
                    await SendAsync(JsonSerializer.Serialize(new
                    {
                        type = "command_response",
                        command_id = command.CommandId,
                        success = answer.Success,
                        result = answer.Result,
                        error = answer.Error,
                    }));
                }

                // After the answer went out: a test that waits for this command may count on it having been answered.
                Waiter(command.Command).TrySetResult(command);
                break;
        }
    }

    private async Task SendAsync(string text)
    {
        await _send.WaitAsync();
        try
        {
            if (_peer.Socket.State == WebSocketState.Open)
            {
                await _peer.Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            }
        }
        finally
        {
            _send.Release();
        }
    }
}
