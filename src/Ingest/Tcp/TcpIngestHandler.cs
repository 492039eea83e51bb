using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Pipeline.Ingest.Framing;

namespace Pipeline.Ingest.Tcp;

/// <summary>
/// Raw TCP NDJSON ingest on Kestrel: the transport's <see cref="System.IO.Pipelines.PipeReader"/> is
/// framed directly, so bytes go from the socket into pooled batches with one copy.
/// </summary>
internal sealed class TcpIngestHandler : ConnectionHandler
{
    private static ReadOnlySpan<byte> TooManyConnections => "{\"type\":\"error\",\"error\":\"too many connections; retry later\"}\n"u8;

    private readonly IngestContext _context;
    private readonly Auth.RobotAuthenticator _auth;
    private readonly Robots.RobotRegistry _robots;
    private readonly ILogger<TcpIngestHandler> _logger;

    public TcpIngestHandler(IngestContext context, Auth.RobotAuthenticator auth, Robots.RobotRegistry robots, ILogger<TcpIngestHandler> logger)
    {
        _context = context;
        _auth = auth;
        _robots = robots;
        _logger = logger;
    }

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var remote = connection.RemoteEndPoint?.ToString() ?? "";
        _robots.Attempt("tcp", remote, null, null);
        if (!_context.Tcp.TryAcquire())
        {
            _robots.Failed("tcp", remote, null, null, "too many connections");
            IngestLog.ConnectionRefused(_logger, "tcp", remote, _context.Tcp.Limit);
            await connection.Transport.Output.WriteAsync(TooManyConnections.ToArray()).ConfigureAwait(false);
            await connection.Transport.Output.CompleteAsync().ConfigureAwait(false);
            return;
        }

        string? robot = null;
        byte[]? hello = null;
        if (_auth.Enabled)
        {
            (var refusal, robot, hello) = await RefuseAsync(connection).ConfigureAwait(false);
            if (refusal is not null)
            {
                _context.Tcp.Release();
                _robots.Failed("tcp", remote, null, robot, refusal);
                return;
            }
        }

        var source = _context.NewConnection("tcp", remote, robot, authenticated: _auth.Enabled);
        IngestLog.Connected(_logger, "tcp", source.Id, remote);
        var link = new Robots.TcpRobotLink(connection);
        var session = _robots.Open(source, link, null);
        var reason = "error";
        try
        {
            using var framer = new LineFramer(connection.Transport.Input, source, _context, link, hello);
            // No cancellation token: Kestrel cancels ConnectionClosed on the peer's FIN, while its last lines
            // may still be in the pipe; they were received and are framed and sent on.
            var closed = await framer.RunAsync(CancellationToken.None).ConfigureAwait(false);
            reason = closed switch
            {
                CloseReason.IdleTimeout => "idle_timeout",
                CloseReason.Shutdown => "shutdown",
                CloseReason.Refused => "refused",
                _ => "eof",
            };
        }
        catch (OperationCanceledException)
        {
            reason = "aborted";
        }
        catch (ConnectionResetException)
        {
            reason = "reset";
        }
        finally
        {
            _context.Tcp.Release();
            _context.Metrics.IngestConnectionsClosed.WithLabels("tcp", reason).Inc();
            IngestLog.Disconnected(_logger, "tcp", source.Id, reason);
            _robots.Close(session, null, reason, null);
            _context.OnConnectionClosed(source, reason);
        }
    }

    /// <summary>Reads the hello and checks its token; a refused robot gets an error line and the close. The refusal (null: let in), and the robot it named.</summary>
    private async Task<(string? Refusal, string? Robot, byte[]? Hello)> RefuseAsync(ConnectionContext connection)
    {
        byte[]? hello = null;
        var remote = (connection.RemoteEndPoint as System.Net.IPEndPoint)?.Address ?? System.Net.IPAddress.None;
        string? refusal;
        string? robot = null;
        try
        {
            using var timeout = new CancellationTokenSource(Auth.HelloMessage.Timeout, _context.Time);
            var (robotId, token, error, line) = await TcpHello.ReadAsync(connection.Transport.Input, timeout.Token).ConfigureAwait(false);
            robot = robotId;
            hello = line;
            refusal = error is null ? _auth.Check("tcp", remote, robotId, token) : _auth.Refuse("tcp", remote, robotId, error);
        }
        catch (OperationCanceledException)
        {
            refusal = _auth.Refuse("tcp", remote, null, $"no hello within {Auth.HelloMessage.Timeout.TotalSeconds:0} s");
        }
        catch (ConnectionResetException)
        {
            return ("connection reset before the hello", null, null);
        }

        if (refusal is null)
        {
            return (null, robot, hello);
        }

        try
        {
            var line = System.Text.Encoding.UTF8.GetBytes("{\"type\":\"error\",\"error\":" + JsonSerializer.Serialize(refusal) + "}\n");
            await connection.Transport.Output.WriteAsync(line).ConfigureAwait(false);
            await connection.Transport.Output.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ConnectionResetException or InvalidOperationException)
        {
            // The robot left before hearing why; it was counted.
        }

        return (refusal, robot, null);
    }
}
