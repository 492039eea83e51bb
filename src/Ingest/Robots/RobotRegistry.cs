using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Events;

namespace Pipeline.Ingest.Robots;

/// <summary>
/// Robot presence (DESIGN, "Robots"): the front ends open and close sessions, the parse block names their robots
/// and hands over control messages, and this keeps per robot whether it is online, its session number (which only
/// grows, across restarts too), and emits <c>robot_online</c> / <c>robot_offline</c>. Several connections of one
/// robot are one presence: it goes offline when the last one closes.
/// </summary>
internal sealed partial class RobotRegistry : ISessionObserver, IDisposable
{
    private readonly ConcurrentDictionary<string, RobotEntry> _robots = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RobotEntry>.AlternateLookup<ReadOnlySpan<char>> _byChars;
    private readonly ConcurrentDictionary<long, RobotSession> _sessions = new();
    private readonly RobotsOptions _options;
    private readonly SessionEvents _events;
    private readonly CommandBroker _commands;
    private readonly RobotsMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _directory;
    private readonly Lock _forgetting = new();
    private readonly Lock _persisting = new();
    private readonly RobotsJournal _journal;
    private int _online;
    private int _dirty;
    private long _totalConnections;
    private long _failedConnections;
    private int _generation;

    public RobotRegistry(RobotsOptions options, SessionEvents events, CommandBroker commands, RobotsMetrics metrics, TimeProvider time,
        ILogger logger, string directory)
    {
        _options = options;
        _events = events;
        _commands = commands;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _directory = directory;
        _byChars = _robots.GetAlternateLookup<ReadOnlySpan<char>>();
        _journal = new RobotsJournal(directory);
        var saved = RobotsFile.Load(directory, out var problem);
        foreach (var (id, session) in RobotsJournal.Read(directory))
        {
            // Sessions started after the last snapshot (the service was killed before the next one).
            saved[id] = (Math.Max(session, saved.GetValueOrDefault(id).Session), saved.GetValueOrDefault(id).LastSeen);
        }

        foreach (var (id, (session, seen)) in saved)
        {
            var robot = new RobotEntry(id, options.RecentEvents) { Session = session };
            if (seen is { } at)
            {
                robot.Seen(at);
                robot.OfflineSince = at;
            }

            _robots[id] = robot;
        }

        if (problem is not null)
        {
            RobotsFileUnreadable(logger, problem);
        }
    }

    public RobotsOptions Options => _options;

    public CommandBroker Commands => _commands;

    public int OnlineCount => Volatile.Read(ref _online);

    public IEnumerable<RobotEntry> Robots => _robots.Values;

    public IEnumerable<RobotSession> OpenSessions => _sessions.Values;

    /// <summary>Connections ever established, and those refused or lost before that.</summary>
    public long TotalConnections => Interlocked.Read(ref _totalConnections);

    public long FailedConnections => Interlocked.Read(ref _failedConnections);

    public RobotEntry? Find(string robotId) => _robots.GetValueOrDefault(robotId);

    /// <summary>Grows each time robots are forgotten: whoever caches entries drops its cache then.</summary>
    public int Generation => Volatile.Read(ref _generation);

    /// <summary>Raised after a connection joined its robot's presence (for whoever waits for a robot to be there).</summary>
    public event Action<RobotEntry, RobotSession>? SessionAttached;

    /// <summary>The robot named by JSON-escaped UTF-8 <paramref name="robotId"/>, created when new; allocates only then (or for escaped ids).</summary>
    public RobotEntry Robot(ReadOnlySpan<byte> robotId)
    {
        if (robotId.IndexOf((byte)'\\') < 0 && robotId.Length <= 256)
        {
            Span<char> chars = stackalloc char[robotId.Length];
            var n = Encoding.UTF8.GetChars(robotId, chars);
            if (_byChars.TryGetValue(chars[..n], out var known))
            {
                return known;
            }

            return Robot(new string(chars[..n]));
        }

        return Robot(Unescape(robotId));
    }

    public RobotEntry Robot(string robotId)
    {
        if (_robots.TryGetValue(robotId, out var known))
        {
            return known;
        }

        if (_robots.Count >= _options.MaxRobots)
        {
            ForgetLongestOffline();
        }

        return _robots.GetOrAdd(robotId, static (id, recent) => new RobotEntry(id, recent), _options.RecentEvents);
    }

    /// <summary>A connection arrived (before auth): the <c>connection_attempt</c> event.</summary>
    public void Attempt(string transport, string remote, string? userAgent, string? robotId) => _events.Attempt(transport, remote, userAgent, robotId);

    /// <summary>A connection was refused or lost before it was established.</summary>
    public void Failed(string transport, string remote, string? userAgent, string? robotId, string reason)
    {
        Interlocked.Increment(ref _failedConnections);
        _events.Failed(transport, remote, userAgent, robotId, reason);
    }

    /// <summary>A connection is established: its session starts, and joins its robot's presence when the robot is known.</summary>
    public RobotSession Open(SourceConnection source, IRobotLink link, string? userAgent)
    {
        Interlocked.Increment(ref _totalConnections);
        var now = _time.GetUtcNow();
        var session = new RobotSession(source, link, userAgent, now) { NextHeartbeatAt = now + _options.HeartbeatInterval };
        _sessions[source.Id] = session;
        _events.Established(session);
        if (source.RobotId is { } robotId)
        {
            Attach(session, Robot(robotId));
        }

        return session;
    }

    /// <summary>The connection ended: <c>connection_closed</c>, and <c>robot_offline</c> when it was the robot's last.</summary>
    /// <param name="code">The WebSocket close code, when there was one.</param>
    public void Close(RobotSession session, int? code, string reason, string? description)
    {
        _sessions.TryRemove(session.Source.Id, out _);
        reason = session.ClosedBy ?? reason;
        _events.Closed(session, code, reason, description);
        var robot = session.MarkClosed();
        if (robot is not null)
        {
            var now = _time.GetUtcNow();
            long ended = 0;
            TimeSpan online = default;
            lock (robot.Gate)
            {
                robot.Sessions.Remove(session);
                robot.Seen(now);
                if (robot.Sessions.Count == 0 && robot.Online)
                {
                    robot.Online = false;
                    robot.OfflineSince = now;
                    robot.OfflineReason = reason;
                    online = now - (robot.OnlineSince ?? now);
                    ended = robot.Session;
                }
            }

            if (ended > 0)
            {
                _metrics.Online.Set(Interlocked.Decrement(ref _online));
                _metrics.Offline.WithLabels(reason).Inc();
                Interlocked.Exchange(ref _dirty, 1);
                _events.Offline(robot, ended, reason, online);
            }
        }

        _commands.SessionEnded(session);
    }

    public void OnControl(SourceConnection source, ControlMessage kind, ReadOnlySpan<byte> line)
    {
        _metrics.ControlMessages.WithLabels(kind == ControlMessage.Hello ? "hello" : "command_response").Inc();
        var session = _sessions.GetValueOrDefault(source.Id);
        switch (kind)
        {
            case ControlMessage.Hello:
                if (HelloRobot(line) is { Length: > 0 } robotId)
                {
                    Name(source, robotId);
                }

                break;
            default:
                _commands.Answer(session, line);
                break;
        }
    }

    public void OnRobotNamed(SourceConnection source, ReadOnlySpan<byte> robotId)
    {
        if (source.RobotId is null)
        {
            Name(source, Robot(robotId).Id);
        }
    }

    /// <summary>Saves session numbers when they changed since the last save (the presence monitor calls this each tick, and at stop).</summary>
    public void SaveIfChanged(bool force = false)
    {
        if (Interlocked.Exchange(ref _dirty, 0) == 0 && !force)
        {
            return;
        }

        try
        {
            lock (_persisting)
            {
                RobotsFile.Save(_directory, _robots.Values);
                _journal.Truncate();
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Interlocked.Exchange(ref _dirty, 1);
            RobotsFileNotSaved(_logger, Path.Combine(_directory, RobotsFile.FileName), ex.Message);
        }
    }

    public void Dispose() => _journal.Dispose();

    /// <summary>Appends the new session to the journal; a failing disk is logged, never a reason to refuse the robot.</summary>
    private void Journal(string robotId, long session)
    {
        try
        {
            lock (_persisting)
            {
                _journal.Append(robotId, session);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            RobotsFileNotSaved(_logger, Path.Combine(_directory, RobotsJournal.FileName), ex.Message);
        }
    }

    private void Name(SourceConnection source, string robotId)
    {
        if (!source.TryBindRobot(robotId) || _sessions.GetValueOrDefault(source.Id) is not { } session)
        {
            return;
        }

        Attach(session, Robot(robotId));
    }

    private void Attach(RobotSession session, RobotEntry robot)
    {
        var now = _time.GetUtcNow();
        var cameOnline = false;
        lock (robot.Gate)
        {
            // Under the robot's lock, so that a close racing this either sees no robot or waits for it to be added.
            if (!session.TryAttach(robot))
            {
                return;
            }

            robot.Sessions.Add(session);
            robot.Connections++;
            robot.Remote = session.Source.Remote;
            robot.Protocol = session.Source.Protocol;
            robot.Seen(now);
            if (!robot.Online)
            {
                robot.Online = true;
                robot.Session++;
                robot.OnlineSince = now;
                robot.OfflineSince = null;
                robot.OfflineReason = null;
                cameOnline = true;
            }

            session.Session = robot.Session;
        }

        if (cameOnline)
        {
            Journal(robot.Id, session.Session);
            _metrics.Online.Set(Interlocked.Increment(ref _online));
            _metrics.Sessions.Inc();
            Interlocked.Exchange(ref _dirty, 1);
            _events.Online(robot, session);
        }

        SessionAttached?.Invoke(robot, session);
        if (_options.AskOnConnect && session.Link.CanSend)
        {
            _ = AskStateAsync(robot);
        }
    }

    /// <summary>On connect: get_status, get_config, get_logs, each with the default deadline; their answers fill the last-known state.</summary>
    private Task AskStateAsync(RobotEntry robot) =>
        Task.WhenAll(RobotStateKinds.All.Select(kind =>
            _commands.SendAsync(robot, robot.Id, kind.Command(), null, _options.CommandTimeout, CancellationToken.None)));

    /// <summary>
    /// Forgets the longest-offline hundredth of the robots in one pass, so that a flood of new robot ids costs one
    /// scan per hundred of them rather than one per id.
    /// </summary>
    private void ForgetLongestOffline()
    {
        lock (_forgetting)
        {
            if (_robots.Count < _options.MaxRobots)
            {
                return;
            }

            var offline = _robots.Values.Where(r => !r.Online).OrderBy(r => r.LastSeen ?? default).Take(Math.Max(1, _options.MaxRobots / 100)).ToList();
            foreach (var robot in offline)
            {
                if (_robots.TryRemove(robot.Id, out _))
                {
                    _metrics.Forgotten.Inc();
                }
            }

            if (offline.Count > 0)
            {
                Interlocked.Increment(ref _generation);
            }
        }
    }

    private static string? HelloRobot(ReadOnlySpan<byte> line)
    {
        try
        {
            var reader = new System.Text.Json.Utf8JsonReader(line);
            using var document = System.Text.Json.JsonDocument.ParseValue(ref reader);
            return document.RootElement.TryGetProperty("robot_id", out var id) && id.ValueKind == System.Text.Json.JsonValueKind.String ? id.GetString() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static string Unescape(ReadOnlySpan<byte> escaped)
    {
        var buffer = new byte[escaped.Length];
        return Encoding.UTF8.GetString(JsonUnescaper.Unescape(escaped, ref buffer));
    }

    [LoggerMessage(1, LogLevel.Warning, "Robots file unreadable, session numbers start again from what robots say: {Problem}")]
    private static partial void RobotsFileUnreadable(ILogger logger, string problem);

    [LoggerMessage(2, LogLevel.Warning, "Could not save robot session numbers to {Path} (tried again at the next tick): {Error}")]
    private static partial void RobotsFileNotSaved(ILogger logger, string path, string error);
}
