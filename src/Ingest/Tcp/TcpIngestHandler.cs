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
    private readonly ILogger<TcpIngestHandler> _logger;

    public TcpIngestHandler(IngestContext context, ILogger<TcpIngestHandler> logger)
    {
        _context = context;
        _logger = logger;
    }

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var remote = connection.RemoteEndPoint?.ToString() ?? "";
        if (!_context.Tcp.TryAcquire())
        {
            IngestLog.ConnectionRefused(_logger, "tcp", remote, _context.Tcp.Limit);
            await connection.Transport.Output.WriteAsync(TooManyConnections.ToArray()).ConfigureAwait(false);
            await connection.Transport.Output.CompleteAsync().ConfigureAwait(false);
            return;
        }

        var source = _context.NewConnection("tcp", remote);
        IngestLog.Connected(_logger, "tcp", source.Id, remote);
        var reason = "error";
        try
        {
            using var framer = new LineFramer(connection.Transport.Input, source, _context);
            // No cancellation token: Kestrel cancels ConnectionClosed on the peer's FIN, while its last lines
            // may still be in the pipe; they were received and are framed and sent on.
            var closed = await framer.RunAsync(CancellationToken.None).ConfigureAwait(false);
            reason = closed switch
            {
                CloseReason.IdleTimeout => "idle_timeout",
                CloseReason.Shutdown => "shutdown",
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
            _context.OnConnectionClosed(source, reason);
        }
    }
}
