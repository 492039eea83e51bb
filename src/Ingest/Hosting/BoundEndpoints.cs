using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Pipeline.Ingest.Hosting;

/// <summary>The listeners Kestrel bound; with port 0 in config, the ports it picked (read after start).</summary>
public sealed class BoundEndpoints
{
    internal ListenOptions? HttpListener { get; set; }
    internal ListenOptions? TcpListener { get; set; }

    public IPEndPoint Http => HttpListener?.IPEndPoint ?? throw new InvalidOperationException("HTTP is not bound yet.");
    public IPEndPoint Tcp => TcpListener?.IPEndPoint ?? throw new InvalidOperationException("TCP is not bound yet.");
}
