namespace Pipeline.Client.Tests.Infrastructure;

/// <summary>The service's HTTP/WebSocket and TCP ports, and the client URIs for them.</summary>
public sealed record ServicePorts(int Http, int Tcp)
{
    public Uri WebSocket => new($"ws://127.0.0.1:{Http}/ingest");

    public Uri TcpUri => new($"tcp://127.0.0.1:{Tcp}");

    /// <summary>Two free loopback ports.</summary>
    public static ServicePorts Free() => new(EndToEnd.Tests.Infrastructure.PipelineProcess.FreePort(), EndToEnd.Tests.Infrastructure.PipelineProcess.FreePort());
}
