using System.Net.WebSockets;
using Pipeline.EndToEnd.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.EndToEnd.Tests;

/// <summary>Graceful shutdown in process: everything the server accepted is in the rolling files after stop.</summary>
public sealed class GracefulShutdownTests
{
    private const int TcpConnections = 4;
    private const int EventsPerConnection = 5_000;
    private const int Total = (TcpConnections + 1) * EventsPerConnection;

    [Fact]
    public async Task StopWritesEveryEventFromTcpAndWebSocketConnectionsToTheFilesExactlyOnce()
    {
        await using var pipeline = await TestPipeline.StartAsync();

        var sends = new List<Task>();
        for (var c = 0; c < TcpConnections; c++)
        {
            sends.Add(pipeline.SendTcpAsync(Ndjson.Events(c * EventsPerConnection, EventsPerConnection, $"r{c}")));
        }

        sends.Add(SendWebSocketAsync(pipeline.WebSocketUri, TcpConnections * EventsPerConnection, EventsPerConnection));
        await Task.WhenAll(sends);
        // Files are read with Lz4Files (every frame), not TestPipeline.ReadLogLines: see LogFileReadingTests.
        // The server has closed all five: every byte was framed and handed to the graph.
        await pipeline.WaitForClosedConnectionsAsync(TcpConnections + 1);
        Assert.All(pipeline.ClosedConnections, c => Assert.Equal("eof", c.Reason));

        await pipeline.StopAsync();

        Ndjson.AssertEverySeqOnce(Lz4Files.ReadWithK4os(pipeline.LogsDir), Total);
        Assert.Equal(Total, pipeline.Metric("pipeline_sink_written_events_total", "files"));
    }

    private static async Task SendWebSocketAsync(Uri uri, int from, int count)
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(uri, CancellationToken.None);
        // Several lines per text frame, as robots batch them.
        const int perFrame = 250;
        for (var seq = from; seq < from + count; seq += perFrame)
        {
            await socket.SendAsync(Ndjson.Events(seq, Math.Min(perFrame, from + count - seq), "ws1"),
                WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }
}
