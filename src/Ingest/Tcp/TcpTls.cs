using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Metrics;
using Pipeline.Ingest.Framing;

namespace Pipeline.Ingest.Tcp;

/// <summary>
/// TLS on the TCP ingest listener (Kestrel's HTTPS connection middleware), with failed handshakes
/// counted in <c>pipeline_ingest_connections_rejected_total{protocol="tcp",reason="tls_handshake"}</c> and told as a
/// <c>connection_failed</c> event.
/// </summary>
/// <remarks>
/// Kestrel ends a connection whose handshake failed (plain text, an untrusted certificate, the 10 s
/// handshake timeout) without calling the rest of the pipeline and logs it at Debug only, so the
/// ingest handler never sees it. A marker set after the handshake tells the outer middleware which
/// connections got through; the others are counted and logged at Debug, one line each, no stack trace.
/// </remarks>
internal static class TcpTls
{
    private static readonly object HandshakeDone = new();

    /// <summary>Adds TLS with <paramref name="certificate"/> to <paramref name="listen"/>; call before <c>UseConnectionHandler</c>.</summary>
    public static void UseTls(ListenOptions listen, X509Certificate2 certificate)
    {
        listen.Use(next =>
        {
            var services = listen.ApplicationServices;
            var rejected = services.GetRequiredService<PipelineMetrics>().IngestConnectionsRejected.WithLabels("tcp", "tls_handshake");
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TcpTls).FullName!);
            var robots = services.GetRequiredService<Robots.RobotRegistry>();
            return async connection =>
            {
                await next(connection).ConfigureAwait(false);
                if (!connection.Items.ContainsKey(HandshakeDone))
                {
                    var remote = connection.RemoteEndPoint?.ToString() ?? "";
                    rejected.Inc();
                    IngestLog.TlsHandshakeFailed(logger, "tcp", remote);
                    // The ingest handler never saw it: its attempt and failure are told here.
                    robots.Attempt("tcp", remote, null, null);
                    robots.Failed("tcp", remote, null, null, "tls handshake failed");
                }
            };
        });
        listen.UseHttps(certificate);
        listen.Use(next => connection =>
        {
            connection.Items[HandshakeDone] = HandshakeDone;
            return next(connection);
        });
    }
}
