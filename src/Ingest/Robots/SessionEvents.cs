using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Pipeline.Ingest.Hosting;

namespace Pipeline.Ingest.Robots;

/// <summary>
/// The lifecycle, security and presence events (DESIGN, "Robots") as ordinary events into the stream, so files,
/// ClickHouse and alert rules see them: <c>type</c> <c>connection</c> (<c>event</c>: <c>connection_attempt</c>,
/// <c>connection_established</c>, <c>connection_closed</c>, <c>connection_failed</c>), <c>security</c>
/// (<c>auth_failed</c>) and <c>presence</c> (<c>robot_online</c>, <c>robot_offline</c>). Their source is
/// <c>protocol: internal</c>; the robot's own transport and address are attributes. The session number is
/// <c>session_number</c>: an attribute named <c>session</c> is a secret to the redact block (session cookies).
/// </summary>
internal sealed class SessionEvents
{
    private static readonly JsonWriterOptions Writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly InternalEventQueue _queue;
    private readonly TimeProvider _time;
    private readonly bool _enabled;

    public SessionEvents(InternalEventQueue queue, TimeProvider time, RobotsOptions options)
    {
        _queue = queue;
        _time = time;
        _enabled = options.LifecycleEvents;
    }

    /// <summary>A robot's connection arrived (before any auth check).</summary>
    public void Attempt(string transport, string remote, string? userAgent, string? robotId) =>
        Emit("connection", "connection_attempt", "DEBUG", robotId, $"{transport} connection attempt from {remote}", json =>
        {
            Connection(json, transport, remote, userAgent, null);
        });

    public void Established(RobotSession session) =>
        Emit("connection", "connection_established", "INFO", session.Source.RobotId,
            $"{session.Source.Protocol} connection established from {session.Source.Remote}", json =>
            {
                Connection(json, session.Source.Protocol, session.Source.Remote, session.UserAgent, session.Source.Id);
            });

    /// <param name="code">The WebSocket close code (null for TCP, or when the connection just dropped).</param>
    public void Closed(RobotSession session, int? code, string reason, string? description)
    {
        var duration = _time.GetUtcNow() - session.OpenedAt;
        var source = session.Source;
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{source.Protocol} connection from {source.Remote} closed: {reason}{(code is null ? "" : $" ({code})")} after {duration.TotalSeconds:0.###} s, {source.Lines} line(s), {source.Bytes} byte(s)");
        Emit("connection", "connection_closed", "INFO", source.RobotId, text, json =>
        {
            Connection(json, source.Protocol, source.Remote, session.UserAgent, source.Id);
            if (session.Session > 0)
            {
                json.WriteNumber("session_number", session.Session);
            }

            if (code is { } c)
            {
                json.WriteNumber("code", c);
            }

            json.WriteString("reason", reason);
            if (!string.IsNullOrEmpty(description))
            {
                json.WriteString("description", description);
            }

            json.WriteNumber("duration_ms", Math.Round(duration.TotalMilliseconds, 1));
            json.WriteNumber("events", source.Lines);
            json.WriteNumber("bytes", source.Bytes);
        });
    }

    /// <summary>A connection the service refused or lost before it was established (limit, auth, bad hello).</summary>
    public void Failed(string transport, string remote, string? userAgent, string? robotId, string reason) =>
        Emit("connection", "connection_failed", "WARNING", robotId, $"{transport} connection from {remote} failed: {reason}", json =>
        {
            Connection(json, transport, remote, userAgent, null);
            json.WriteString("reason", reason);
        });

    /// <summary>A refused authentication (bad or missing token, blocked address).</summary>
    public void AuthFailed(string transport, string remote, string? robotId, string reason, string message) =>
        Emit("security", "auth_failed", "WARNING", robotId, $"authentication failed over {transport} from {remote}: {message}", json =>
        {
            Connection(json, transport, remote, null, null);
            json.WriteString("reason", reason);
        });

    public void Online(RobotEntry robot, RobotSession session) =>
        Emit("presence", "robot_online", "INFO", robot.Id, $"robot {robot.Id} online (session {robot.Session})", json =>
        {
            json.WriteNumber("session_number", robot.Session);
            Connection(json, session.Source.Protocol, session.Source.Remote, session.UserAgent, session.Source.Id);
        });

    public void Offline(RobotEntry robot, long session, string reason, TimeSpan online) =>
        Emit("presence", "robot_offline", "WARNING", robot.Id, $"robot {robot.Id} offline (session {session}): {reason}", json =>
        {
            json.WriteNumber("session_number", session);
            json.WriteString("reason", reason);
            json.WriteNumber("online_ms", Math.Round(online.TotalMilliseconds, 1));
        });

    private static void Connection(Utf8JsonWriter json, string transport, string remote, string? userAgent, long? connectionId)
    {
        json.WriteString("transport", transport);
        json.WriteString("remote_addr", remote);
        if (!string.IsNullOrEmpty(userAgent))
        {
            json.WriteString("user_agent", userAgent);
        }

        if (connectionId is { } id)
        {
            json.WriteNumber("connection", id);
        }
    }

    private void Emit(string type, string name, string level, string? robotId, string message, Action<Utf8JsonWriter> fields)
    {
        if (!_enabled)
        {
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer, Writer))
        {
            json.WriteStartObject();
            json.WriteString("ts", _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WriteString("level", level);
            json.WriteString("type", type);
            json.WriteString("event", name);
            if (!string.IsNullOrEmpty(robotId))
            {
                json.WriteString("robot_id", robotId);
            }

            json.WriteString("msg", message);
            fields(json);
            json.WriteEndObject();
        }

        _queue.Enqueue(buffer.WrittenSpan.ToArray());
    }
}
