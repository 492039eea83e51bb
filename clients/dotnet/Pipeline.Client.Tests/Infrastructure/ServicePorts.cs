using System.Net;
using System.Net.Sockets;

namespace Pipeline.Client.Tests.Infrastructure;

/// <summary>The service's HTTP/WebSocket and TCP ports, and the client URIs for them.</summary>
public sealed record ServicePorts(int Http, int Tcp)
{
    public Uri WebSocket => new($"ws://127.0.0.1:{Http}/ingest");

    public Uri TcpUri => new($"tcp://127.0.0.1:{Tcp}");

    /// <summary>Two free loopback ports: bind to port 0, read what the OS picked, release it.</summary>
    public static ServicePorts Free() => new(FreePort(), FreePort());

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
