using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Pipeline.Ingest.Robots;

/// <summary>
/// Commands to robots (DESIGN, "Robots"): each one goes as <c>{"type":"command","command_id":…,"command":…,"params":…}</c>
/// on the robot's newest WebSocket session and ends with its <c>command_response</c>, its deadline (504), or at once
/// (409) when the robot is offline or the session it went on ends. At most <see cref="RobotsOptions.MaxCommandsInFlight"/>
/// per robot (429). Answers to <c>get_status</c>, <c>get_config</c> and <c>get_logs</c> update the last-known state.
/// </summary>
internal sealed partial class CommandBroker
{
    private static readonly JsonWriterOptions Writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly ConcurrentDictionary<string, PendingCommand> _pending = new(StringComparer.Ordinal);
    private readonly RobotsOptions _options;
    private readonly TimeProvider _time;
    private readonly RobotsMetrics _metrics;
    private readonly ILogger _logger;
    private long _next;

    public CommandBroker(RobotsOptions options, TimeProvider time, RobotsMetrics metrics, ILogger logger)
    {
        _options = options;
        _time = time;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Raised when a command ended, however it ended (for whoever waits for an answer to be in the state).</summary>
    public event Action<CommandOutcome>? Ended;

    /// <summary>Commands waiting for an answer, fleet-wide.</summary>
    public int InFlight => _pending.Count;

    /// <summary>Sends <paramref name="command"/> and waits for the answer within <paramref name="timeout"/>; never throws for the robot's faults.</summary>
    public async Task<CommandOutcome> SendAsync(RobotEntry? robot, string robotId, string command, JsonElement? parameters, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (robot is null || robot.CommandSession() is not { } session)
        {
            var online = robot is not null && robot.Online;
            var status = online ? CommandStatus.NoCommandSession : CommandStatus.Offline;
            _metrics.Commands.WithLabels(online ? "no_command_session" : "offline").Inc();
            return CommandOutcome.Refused(status, robotId, command, online
                ? $"robot {robotId} is connected over TCP only; commands need a WebSocket session (ws://HOST:PORT/ingest)"
                : $"robot {robotId} is offline");
        }

        if (!robot.TryStartCommand(_options.MaxCommandsInFlight))
        {
            _metrics.Commands.WithLabels("too_many").Inc();
            return CommandOutcome.Refused(CommandStatus.TooMany, robotId, command,
                $"robot {robotId} has {_options.MaxCommandsInFlight} command(s) in flight (Pipeline:Robots:MaxCommandsInFlight); retry when one ends");
        }

        var id = $"{robot.Session}-{Interlocked.Increment(ref _next)}";
        var pending = new PendingCommand(id, robot, session, command);
        _pending[id] = pending;
        CommandOutcome outcome;
        try
        {
            outcome = await RunAsync(pending, parameters, timeout, started, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(id, out _);
            robot.EndCommand();
        }

        Ended?.Invoke(outcome);
        return outcome;
    }

    /// <summary>A <c>command_response</c> arrived on <paramref name="session"/>.</summary>
    public void Answer(RobotSession? session, ReadOnlySpan<byte> line)
    {
        var response = CommandResponse.Parse(line);
        if (response is null || !_pending.TryGetValue(response.CommandId, out var pending) ||
            (session?.Robot is { } robot && !ReferenceEquals(robot, pending.Robot)))
        {
            // Past its deadline, never sent, or another robot's command id: nothing waits for it.
            _metrics.LateResponses.Inc();
            return;
        }

        pending.Done.TrySetResult(response);
    }

    /// <summary>Fails every command that went on <paramref name="session"/>: its robot will not answer on it any more.</summary>
    public void SessionEnded(RobotSession session)
    {
        foreach (var pending in _pending.Values)
        {
            if (ReferenceEquals(pending.Session, session))
            {
                pending.Done.TrySetResult(null);
            }
        }
    }

    private async Task<CommandOutcome> RunAsync(PendingCommand pending, JsonElement? parameters, TimeSpan timeout, long started,
        CancellationToken cancellationToken)
    {
        var robot = pending.Robot;
        var session = pending.Session;
        using var expiry = new CancellationTokenSource(timeout, _time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(expiry.Token, cancellationToken);
        if (!await session.Link.SendAsync(Message(pending.Id, pending.Command, parameters), deadline.Token).ConfigureAwait(false))
        {
            if (expiry.IsCancellationRequested)
            {
                return TimedOut(pending, timeout, null);
            }

            _metrics.Commands.WithLabels("send_failed").Inc();
            return CommandOutcome.Refused(CommandStatus.SendFailed, robot.Id, pending.Command,
                $"could not send the command to robot {robot.Id}: its connection closed", pending.Id, session.Session);
        }

        var sendTime = Stopwatch.GetElapsedTime(started);
        pending.SentAt = _time.GetUtcNow();
        var sentTicks = Stopwatch.GetTimestamp();
        robot.Commands.Sent(sendTime);
        _metrics.CommandSend.Observe(sendTime.TotalSeconds);

        CommandResponse? response;
        try
        {
            var left = timeout - sendTime;
            response = await pending.Done.Task.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return TimedOut(pending, timeout, sendTime);
        }

        if (response is null)
        {
            robot.Commands.SessionEnded();
            _metrics.Commands.WithLabels("session_ended").Inc();
            return CommandOutcome.Refused(CommandStatus.SessionEnded, robot.Id, pending.Command,
                $"robot {robot.Id}'s session {session.Session} ended before it answered ({session.ClosedBy ?? "connection closed"})", pending.Id, session.Session);
        }

        var executeTime = Stopwatch.GetElapsedTime(sentTicks);
        robot.Commands.Answered(response.Success, executeTime);
        _metrics.CommandExecute.Observe(executeTime.TotalSeconds);
        _metrics.Commands.WithLabels(response.Success ? "answered" : "failed").Inc();
        if (response.Success && response.RobotResult is { } result && RobotStateKinds.ForCommand(pending.Command) is { } kind)
        {
            lock (robot.Gate)
            {
                robot.State[(int)kind] = new CachedAnswer(result, _time.GetUtcNow(), "command");
            }
        }

        return new CommandOutcome(CommandStatus.Answered, robot.Id, pending.Command, pending.Id, session.Session, response.Success,
            response.RobotResult, response.Error, Math.Round(sendTime.TotalMilliseconds, 3), Math.Round(executeTime.TotalMilliseconds, 3),
            response.Success ? "ok" : response.Error ?? "the robot reported a failure");
    }

    private CommandOutcome TimedOut(PendingCommand pending, TimeSpan timeout, TimeSpan? sendTime)
    {
        pending.Robot.Commands.TimedOut();
        _metrics.Commands.WithLabels("timeout").Inc();
        CommandTimedOut(_logger, pending.Command, pending.Robot.Id, timeout);
        return new CommandOutcome(CommandStatus.Timeout, pending.Robot.Id, pending.Command, pending.Id, pending.Session.Session, false, null, null,
            sendTime is { } s ? Math.Round(s.TotalMilliseconds, 3) : null, null,
            $"robot {pending.Robot.Id} did not answer {pending.Command} within {timeout.TotalSeconds:0.###} s");
    }

    private static byte[] Message(string id, string command, JsonElement? parameters)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, Writer))
        {
            json.WriteStartObject();
            json.WriteString("type", "command");
            json.WriteString("command_id", id);
            json.WriteString("command", command);
            json.WritePropertyName("params");
            if (parameters is { ValueKind: not JsonValueKind.Undefined and not JsonValueKind.Null } p)
            {
                p.WriteTo(json);
            }
            else
            {
                json.WriteStartObject();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    [LoggerMessage(1, LogLevel.Debug, "Command {Command} to robot {RobotId} timed out after {Timeout}.")]
    private static partial void CommandTimedOut(ILogger logger, string command, string robotId, TimeSpan timeout);
}
