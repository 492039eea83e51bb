using Microsoft.Extensions.Logging;

namespace Pipeline.Ingest.Framing;

internal static partial class IngestLog
{
    [LoggerMessage(1, LogLevel.Debug, "{Protocol} connection {ConnectionId} from {Remote} opened.")]
    public static partial void Connected(ILogger logger, string protocol, long connectionId, string remote);

    [LoggerMessage(2, LogLevel.Debug, "{Protocol} connection {ConnectionId} closed: {Reason}.")]
    public static partial void Disconnected(ILogger logger, string protocol, long connectionId, string reason);

    [LoggerMessage(3, LogLevel.Warning, "Refused a {Protocol} connection from {Remote}: {Limit} are open (Pipeline:Ingest:MaxConnections).")]
    public static partial void ConnectionRefused(ILogger logger, string protocol, string remote, int limit);

    [LoggerMessage(4, LogLevel.Information, "WebSocket connection {ConnectionId} sent a binary frame; closed with 1003 (send NDJSON in text frames).")]
    public static partial void BinaryFrame(ILogger logger, long connectionId);

    [LoggerMessage(5, LogLevel.Debug, "{Protocol} connection from {Remote} closed: the TLS handshake failed (a plain-text client, or one that refused the certificate).")]
    public static partial void TlsHandshakeFailed(ILogger logger, string protocol, string remote);
}
