using System.IO.Pipelines;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.DeadLetters;
using Pipeline.Ingest.Framing;

namespace Pipeline.Ingest.WebSockets;

/// <summary>
/// <c>ws://HOST:5080/ingest</c>: text frames carry NDJSON lines. Frames are received straight into a
/// pipe and framed by the same <see cref="LineFramer"/> as TCP; the end of a message ends its last
/// line. A full graph stops the receive loop, so WebSocket robots are slowed like TCP ones.
/// </summary>
internal sealed class WebSocketIngestEndpoint
{
    /// <summary>The close code for a refused robot token (DESIGN: 4401, "unauthorized").</summary>
    internal const int Unauthorized = 4401;

    /// <summary>What a robot that sent no token at all is told (a WebSocket close reason holds at most 123 bytes).</summary>
    private const string NoToken = "no token: send Authorization: Bearer, ?token=, or a first message {\"type\":\"hello\",\"token\":…}";

    private readonly IngestContext _context;
    private readonly Auth.RobotAuthenticator _auth;
    private readonly Robots.RobotRegistry _robots;
    private readonly ILogger<WebSocketIngestEndpoint> _logger;

    public WebSocketIngestEndpoint(IngestContext context, Auth.RobotAuthenticator auth, Robots.RobotRegistry robots, ILogger<WebSocketIngestEndpoint> logger)
    {
        _context = context;
        _auth = auth;
        _robots = robots;
        _logger = logger;
    }

    public async Task HandleAsync(HttpContext http)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            await http.Response.WriteAsync("Connect with a WebSocket client: ws://HOST:PORT/ingest, NDJSON in text frames.\n").ConfigureAwait(false);
            return;
        }

        var remote = $"{http.Connection.RemoteIpAddress}:{http.Connection.RemotePort}";
        string? userAgent = http.Request.Headers.UserAgent;
        string? robot = http.Request.Query["robot_id"];
        robot = string.IsNullOrEmpty(robot) ? null : robot;
        _robots.Attempt("websocket", remote, userAgent, robot);
        if (!_context.WebSocket.TryAcquire())
        {
            _robots.Failed("websocket", remote, userAgent, robot, "too many connections");
            IngestLog.ConnectionRefused(_logger, "websocket", remote, _context.WebSocket.Limit);
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            http.Response.Headers.RetryAfter = "5";
            await http.Response.WriteAsync("Too many connections; retry later.\n").ConfigureAwait(false);
            return;
        }

        WebSocket? early = null;
        ReadOnlyMemory<byte> preface = default;
        ReadOnlyMemory<byte> hello = default;
        if (_auth.Enabled)
        {
            string? refusal;
            if (HasToken(http))
            {
                refusal = await RefuseAsync(http).ConfigureAwait(false);
            }
            else
            {
                // No token in the header or the query: the first message must be a hello that carries it.
                early = await AcceptOrNullAsync(http).ConfigureAwait(false);
                (refusal, robot, hello, preface) = early is null ? ("websocket handshake failed", robot, default, default) : await HelloAsync(early, http, robot).ConfigureAwait(false);
            }

            if (refusal is not null)
            {
                early?.Dispose();
                _context.WebSocket.Release();
                _robots.Failed("websocket", remote, userAgent, robot, refusal);
                return;
            }
        }

        var source = _context.NewConnection("websocket", remote, robot, authenticated: _auth.Enabled);
        var reason = "error";
        var close = new CloseFrame();
        Robots.RobotSession? session = null;
        try
        {
            using var socket = early ?? await http.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
            using var link = new Robots.WebSocketRobotLink(socket);
            IngestLog.Connected(_logger, "websocket", source.Id, remote);
            session = _robots.Open(source, link, userAgent);
            reason = await RunAsync(socket, link, source, close, hello, preface, http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ConnectionAbortedException)
        {
            reason = "aborted";
        }
        finally
        {
            _context.WebSocket.Release();
            _context.Metrics.IngestConnectionsClosed.WithLabels("websocket", reason).Inc();
            IngestLog.Disconnected(_logger, "websocket", source.Id, reason);
            if (session is not null)
            {
                // A session the presence monitor ended was closed with 4408 by its link.
                _robots.Close(session, session.ClosedBy is null ? close.Code : Robots.WebSocketRobotLink.HeartbeatTimeout, reason, close.Description);
            }
            else
            {
                _robots.Failed("websocket", remote, userAgent, robot, "websocket handshake failed");
            }

            // Last: whoever waits for the close sees the robot's presence already updated.
            _context.OnConnectionClosed(source, reason);
        }
    }

    private static bool HasToken(HttpContext http) =>
        Auth.BearerToken.Parse(http.Request.Headers.Authorization) is not null || !string.IsNullOrEmpty(http.Request.Query["token"]);

    private static async Task<WebSocket?> AcceptOrNullAsync(HttpContext http)
    {
        try
        {
            return await http.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ConnectionAbortedException)
        {
            return null;
        }
    }

    /// <summary>
    /// The first message as a hello (<see cref="Auth.HelloMessage"/>, within <see cref="Auth.HelloMessage.Timeout"/>): its
    /// token checked for its robot_id (or <c>?robot_id=</c>; both must agree). A refused robot is closed with 4401 and the
    /// reason. Returns the refusal (null: let in), the robot, and the lines that followed the hello in its message.
    /// </summary>
    private async Task<(string? Refusal, string? Robot, ReadOnlyMemory<byte> Hello, ReadOnlyMemory<byte> Following)> HelloAsync(WebSocket socket, HttpContext http,
        string? queryRobot)
    {
        var remote = http.Connection.RemoteIpAddress ?? System.Net.IPAddress.None;
        string? refusal;
        string? robot = queryRobot;
        ReadOnlyMemory<byte> rest = default;
        ReadOnlyMemory<byte> hello = default;
        try
        {
            using var timeout = new CancellationTokenSource(Auth.HelloMessage.Timeout, _context.Time);
            var (message, error) = await ReceiveHelloAsync(socket, timeout.Token).ConfigureAwait(false);
            if (error is not null)
            {
                refusal = _auth.Refuse("websocket", remote, robot, error == Auth.HelloMessage.Expected ? NoToken : error);
            }
            else
            {
                var newline = message.Span.IndexOf((byte)'\n');
                hello = newline < 0 ? message : message[..newline];
                var (helloRobot, token, invalid) = Auth.HelloMessage.Parse(hello.Span);
                rest = newline < 0 ? default : EndedLine(message[(newline + 1)..]);
                if (invalid is not null)
                {
                    refusal = _auth.Refuse("websocket", remote, robot, NoToken);
                }
                else if (helloRobot is not null && robot is not null && helloRobot != robot)
                {
                    refusal = _auth.Refuse("websocket", remote, robot, "the hello's robot_id is not the one in ?robot_id=");
                }
                else
                {
                    robot ??= helloRobot;
                    refusal = _auth.Check("websocket", remote, robot, token);
                }
            }
        }
        catch (OperationCanceledException)
        {
            refusal = _auth.Refuse("websocket", remote, robot, $"{NoToken} (none came within {Auth.HelloMessage.Timeout.TotalSeconds:0} s)");
        }
        catch (WebSocketException)
        {
            return ("closed before the hello", robot, default, default);
        }

        if (refusal is not null)
        {
            await CloseQuietlyAsync(socket, (WebSocketCloseStatus)Unauthorized, refusal).ConfigureAwait(false);
        }

        return (refusal, robot, hello, rest);
    }

    /// <summary>The end of a message ends its last line, as in <see cref="ReceiveAsync"/>.</summary>
    private static ReadOnlyMemory<byte> EndedLine(ReadOnlyMemory<byte> lines) =>
        lines.IsEmpty || lines.Span[^1] == '\n' ? lines : (byte[])[.. lines.Span, (byte)'\n'];

    /// <summary>The first text message, whole, at most a hello's size; or the error when it is not one.</summary>
    private static async Task<(ReadOnlyMemory<byte> Message, string? Error)> ReceiveHelloAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[Auth.HelloMessage.MaxBytes + 1];
        var length = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (default, "closed before the hello");
            }

            if (result.MessageType == WebSocketMessageType.Binary)
            {
                return (default, Auth.HelloMessage.Expected);
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return (buffer.AsMemory(0, length), null);
            }

            if (length == buffer.Length)
            {
                // The hello may be followed by events in its message; a first line longer than a hello is not one.
                var newline = buffer.AsSpan(0, length).IndexOf((byte)'\n');
                if (newline < 0)
                {
                    return (default, Auth.HelloMessage.TooLong);
                }

                var rest = await DrainMessageAsync(socket, buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                return (rest, null);
            }
        }
    }

    /// <summary>Reads the rest of a message whose start is <paramref name="start"/>.</summary>
    private static async Task<ReadOnlyMemory<byte>> DrainMessageAsync(WebSocket socket, ReadOnlyMemory<byte> start, CancellationToken cancellationToken)
    {
        var all = new System.Buffers.ArrayBufferWriter<byte>(start.Length * 2);
        System.Buffers.BuffersExtensions.Write(all, start.Span);
        while (true)
        {
            var result = await socket.ReceiveAsync(all.GetMemory(16 * 1024), cancellationToken).ConfigureAwait(false);
            all.Advance(result.Count);
            if (result.EndOfMessage || result.MessageType != WebSocketMessageType.Text)
            {
                return all.WrittenMemory;
            }
        }
    }

    /// <summary>
    /// With robot tokens configured: <c>?robot_id=</c> and <c>Authorization: Bearer</c> (or <c>?token=</c>, for
    /// clients that cannot set headers). A refused robot gets the WebSocket handshake and then close 4401 with the
    /// reason, so client libraries report it instead of a bare HTTP error. The refusal, or null when the robot may connect.
    /// </summary>
    private async Task<string?> RefuseAsync(HttpContext http)
    {
        var query = http.Request.Query;
        var token = Auth.BearerToken.Parse(http.Request.Headers.Authorization) ?? (string?)query["token"];
        var remote = http.Connection.RemoteIpAddress ?? System.Net.IPAddress.None;
        var refusal = _auth.Check("websocket", remote, query["robot_id"], token);
        if (refusal is null)
        {
            return null;
        }

        try
        {
            using var socket = await http.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
            await CloseQuietlyAsync(socket, (WebSocketCloseStatus)Unauthorized, refusal).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ConnectionAbortedException)
        {
            // The robot left before hearing why; it was counted.
        }

        return refusal;
    }

    private async Task<string> RunAsync(WebSocket socket, Robots.WebSocketRobotLink link, Blocks.Events.SourceConnection source, CloseFrame close,
        ReadOnlyMemory<byte> hello, ReadOnlyMemory<byte> preface, CancellationToken aborted)
    {
        // Pause above MaxLineBytes, as the TCP transport does, so an over-long line is always seen whole enough to reject.
        var pause = _context.Options.MaxLineBytes + Hosting.PipelineHost.TransportMargin;
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: pause, resumeWriterThreshold: pause / 2, useSynchronizationContext: false));
        using var framer = new LineFramer(pipe.Reader, source, _context, link, hello);
        var framing = framer.RunAsync(CancellationToken.None);
        string reason;
        try
        {
            if (!preface.IsEmpty)
            {
                // The lines that came after the hello in its message.
                await pipe.Writer.WriteAsync(preface, aborted).ConfigureAwait(false);
            }

            reason = await ReceiveAsync(socket, link, pipe.Writer, source, close, aborted, framing).ConfigureAwait(false);
        }
        finally
        {
            await pipe.Writer.CompleteAsync().ConfigureAwait(false);
        }

        var closed = await framing.ConfigureAwait(false);
        await pipe.Reader.CompleteAsync().ConfigureAwait(false);
        if (closed == CloseReason.Refused)
        {
            reason = "refused"; // the framer told the robot why and closed
        }
        else if (closed != CloseReason.EndOfStream)
        {
            reason = closed == CloseReason.IdleTimeout ? "idle_timeout" : "shutdown";
            await close.SendAsync(link, WebSocketCloseStatus.NormalClosure, reason == "idle_timeout" ? "idle timeout" : "server shutting down").ConfigureAwait(false);
        }

        return reason;
    }

    private async Task<string> ReceiveAsync(WebSocket socket, Robots.WebSocketRobotLink link, PipeWriter writer, Blocks.Events.SourceConnection source,
        CloseFrame close, CancellationToken cancellationToken, Task<CloseReason> framing)
    {
        var lastByte = (byte)'\n';
        while (true)
        {
            var memory = writer.GetMemory(16 * 1024);
            // Stop receiving when the framer has stopped (idle, shutdown): race the receive against it.
            var receive = socket.ReceiveAsync(memory, cancellationToken).AsTask();
            _ = receive.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            if (await Task.WhenAny(receive, framing).ConfigureAwait(false) == framing)
            {
                await StopReceivingAsync(socket, link, receive, framing, source, close, cancellationToken).ConfigureAwait(false);
                return "framer";
            }

            ValueWebSocketReceiveResult result;
            try
            {
                result = await receive.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // The WebSocket layer rejects a text frame that is not UTF-8 by sending 1007 and faulting
                // without an inner exception (a network drop carries the socket error). Other frame-level
                // violations look the same, but standard client libraries do not produce them. When the
                // client resets the connection the moment it reads that 1007, the request is aborted before the
                // fault is thrown, and it comes wrapped in an OperationCanceledException: the same rejection.
                if ((ex as WebSocketException ?? ex.InnerException as WebSocketException) is { WebSocketErrorCode: WebSocketError.Faulted, InnerException: null })
                {
                    close.Code = (int)WebSocketCloseStatus.InvalidPayloadData;
                    _context.Component.Discarded(DiscardReasons.InvalidUtf8);
                    _context.DeadLetters.Write("ingest", DiscardReasons.InvalidUtf8, source, memory.Span[..Math.Min(memory.Length, 1024)]);
                    return DiscardReasons.InvalidUtf8;
                }

                if (ex is OperationCanceledException)
                {
                    throw;
                }

                // The peer vanished mid-message: the framer counts any partial line as truncated.
                return "aborted";
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                // The robot's own close: its code and reason are what the connection_closed event reports.
                close.Code = (int?)socket.CloseStatus;
                close.Description = socket.CloseStatusDescription;
                await link.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye").ConfigureAwait(false);
                return "eof";
            }

            if (result.MessageType == WebSocketMessageType.Binary)
            {
                _context.Component.Discarded(DiscardReasons.BinaryFrame);
                _context.DeadLetters.Write("ingest", DiscardReasons.BinaryFrame, source, memory.Span[..Math.Min(result.Count, 1024)]);
                IngestLog.BinaryFrame(_logger, source.Id);
                await close.SendAsync(link, WebSocketCloseStatus.InvalidMessageType, "binary frames are not supported: send NDJSON in text frames").ConfigureAwait(false);
                return "binary_frame";
            }

            if (result.Count > 0)
            {
                lastByte = memory.Span[result.Count - 1];
                writer.Advance(result.Count);
            }

            if (result.EndOfMessage && lastByte != '\n')
            {
                // A message ends its last line.
                writer.GetSpan(1)[0] = (byte)'\n';
                writer.Advance(1);
                lastByte = (byte)'\n';
            }

            var flush = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (flush.IsCompleted)
            {
                return "framer";
            }
        }
    }

    /// <summary>
    /// The framer stopped (idle timeout, shutdown) while a receive is pending into pipe memory: say
    /// goodbye, and let that receive finish before the pipe (and so its memory) is given back.
    /// Anything that still arrives was never framed: it is counted, not silently dropped.
    /// </summary>
    private async Task StopReceivingAsync(WebSocket socket, Robots.WebSocketRobotLink link, Task<ValueWebSocketReceiveResult> receive, Task<CloseReason> framing,
        Blocks.Events.SourceConnection source, CloseFrame close, CancellationToken cancellationToken)
    {
        var idle = await framing.ConfigureAwait(false) == CloseReason.IdleTimeout;
        await close.SendAsync(link, WebSocketCloseStatus.NormalClosure, idle ? "idle timeout" : "server shutting down").ConfigureAwait(false);
        try
        {
            var late = await receive.WaitAsync(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
            if (late.MessageType == WebSocketMessageType.Text && late.Count > 0)
            {
                _context.Component.Discarded("shutdown");
                _context.DeadLetters.Write("ingest", "shutdown", source, []);
            }
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException or WebSocketException)
        {
            // The peer did not answer the close: abort, which ends the pending receive.
            socket.Abort();
            try
            {
                await receive.ConfigureAwait(false);
            }
            catch (Exception inner) when (inner is WebSocketException or OperationCanceledException)
            {
                // Expected after Abort.
            }
        }
    }

    private static async Task CloseQuietlyAsync(WebSocket socket, WebSocketCloseStatus status, string description)
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseOutputAsync(status, description, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // The peer is gone; nothing more to say to it.
            }
        }
    }
}
