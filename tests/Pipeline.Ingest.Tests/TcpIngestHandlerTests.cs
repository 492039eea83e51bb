using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Blocks.DeadLetters;
using Pipeline.Blocks.Graph;
using Pipeline.Ingest.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests;

/// <summary>Raw TCP NDJSON ingest: bad input, connection limits and shutdown, over real sockets.</summary>
public sealed class TcpIngestHandlerTests
{
    [Fact]
    public async Task MalformedJsonIsCountedAndDeadLetteredWhileGoodLinesAndOtherConnectionsGoOn()
    {
        string[] malformed =
        [
            "{\"robot_id\":\"r\",\"msg\":\"no closing brace\"",
            "{\"robot_id\":\"r\",\"msg\":}",
            "{\"robot_id\":\"r\",\"msg\":\"x\"} trailing",
            "{robot_id:\"r\"}",
        ];

        await BadLinesAsync(malformed, DiscardReasons.MalformedJson);
    }

    [Fact]
    public async Task JsonThatIsNotAnObjectIsCountedAndDeadLettered()
    {
        string[] notObjects = ["[1,2,3]", "\"just a string\"", "42", "null", "true"];

        await BadLinesAsync(notObjects, DiscardReasons.NotAnObject);
    }

    [Fact]
    public async Task InvalidUtf8IsCountedAndDeadLettered()
    {
        byte[][] invalid =
        [
            [.. "{\"robot_id\":\"r\",\"msg\":\""u8, 0xFF, 0xFE, .. "\"}"u8],     // bytes that never occur in UTF-8
            [.. "{\"robot_id\":\"r\",\"msg\":\""u8, 0xC0, 0xAF, .. "\"}"u8],     // overlong encoding of '/'
            [.. "{\"robot_id\":\"r\",\"msg\":\""u8, 0xED, 0xA0, 0x80, .. "\"}"u8], // a UTF-16 surrogate
            [.. "{\"robot_id\":\"r\",\"msg\":\""u8, 0xE2, 0x82, .. "\"}"u8],     // a sequence cut short
        ];

        await BadLinesAsync(invalid, DiscardReasons.InvalidUtf8);
    }

    [Fact]
    public async Task ConnectionBeyondTheLimitGetsAnErrorLineAndIsClosedWhileOthersGoOn()
    {
        var sink = new RecordingSink();
        await using var pipeline = await TestPipeline.StartAsync(
            new Dictionary<string, string> { ["Ingest:MaxConnections"] = "2" },
            s => s.AddSingleton<IEventSink>(sink));
        using var a = await Bystander.ConnectAsync(pipeline, "a");
        using var b = await Bystander.ConnectAsync(pipeline, "b");
        await a.SendAsync(3);
        await b.SendAsync(3);
        // Both connections are being served once their first events went through the graph.
        await sink.WaitForMessagesAsync("a 0", "b 0");

        byte[] answer;
        using (var third = await TcpPeer.ConnectAsync(pipeline))
        {
            answer = await third.ReadToEndAsync();
        }

        using (var error = JsonDocument.Parse(answer))
        {
            Assert.Equal("error", error.RootElement.GetProperty("type").GetString());
            Assert.Contains("too many connections", error.RootElement.GetProperty("error").GetString());
        }

        Assert.Equal((byte)'\n', answer[^1]);
        Assert.Equal(1, pipeline.Metric("pipeline_ingest_connections_rejected_total", "tcp", "limit"));
        Assert.Equal(2, pipeline.Metric("pipeline_ingest_connections", "tcp"));

        await a.SendAsync(3);
        await b.SendAsync(3);
        await HttpProbe.AssertStillUpAsync(pipeline);
        await a.CloseAsync();
        await b.CloseAsync();
        await pipeline.StopAsync();

        var events = LoggedEvent.ReadAll(pipeline);
        a.AssertAllArrived(events);
        b.AssertAllArrived(events);
        Assert.Equal(12, events.Count);
        Assert.Equal(0, pipeline.Metric("pipeline_ingest_connections", "tcp"));
    }

    [Fact]
    public async Task ClosedConnectionFreesItsSlotUnderTheLimit()
    {
        var sink = new RecordingSink();
        await using var pipeline = await TestPipeline.StartAsync(
            new Dictionary<string, string> { ["Ingest:MaxConnections"] = "1" },
            s => s.AddSingleton<IEventSink>(sink));
        using (var first = await Bystander.ConnectAsync(pipeline, "first"))
        {
            await first.SendAsync(1);
            await sink.WaitForMessagesAsync("first 0");
            using (var refused = await TcpPeer.ConnectAsync(pipeline))
            {
                Assert.Contains("too many connections", Encoding.UTF8.GetString(await refused.ReadToEndAsync()));
            }

            await first.CloseAsync();
        }

        await pipeline.WaitForClosedConnectionsAsync(1);
        await pipeline.SendTcpAsync(Ndjson.Bytes(Ndjson.Line("second", "after the first left")));
        await pipeline.StopAsync();

        Assert.Equal(["first 0", "after the first left"], LoggedEvent.ReadAll(pipeline).Select(e => e.Msg));
        Assert.Equal(1, pipeline.Metric("pipeline_ingest_connections_rejected_total", "tcp", "limit"));
    }

    [Fact]
    public async Task TcpLimitDoesNotCountWebSocketConnections()
    {
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string> { ["Ingest:MaxConnections"] = "1" });
        using var ws = new System.Net.WebSockets.ClientWebSocket();
        await ws.ConnectAsync(pipeline.WebSocketUri, CancellationToken.None);

        await pipeline.SendTcpAsync(Ndjson.Bytes(Ndjson.Line("r", "tcp while a websocket is open")));
        await ws.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        await pipeline.StopAsync();

        Assert.Equal(0, pipeline.Metric("pipeline_ingest_connections_rejected_total", "tcp", "limit"));
        Assert.Equal(["tcp while a websocket is open"], LoggedEvent.ReadAll(pipeline).Select(e => e.Msg));
    }

    [Fact]
    public async Task ConnectionClosedByThePeerIsCountedAsEof()
    {
        await using var pipeline = await TestPipeline.StartAsync();

        await pipeline.SendTcpAsync(Ndjson.Bytes(Ndjson.Line("r", "bye")));

        Assert.Equal(1, pipeline.Metric("pipeline_ingest_connections_closed_total", "tcp", "eof"));
        var closed = Assert.Single(pipeline.ClosedConnections);
        Assert.Equal(("tcp", "eof"), (closed.Source.Protocol, closed.Reason));
        Assert.Equal(0, pipeline.Metric("pipeline_ingest_connections", "tcp"));
    }

    [Fact]
    public async Task ShutdownHandsOnThePartialBatchOfAConnectionThatIsStillOpen()
    {
        var sink = new RecordingSink();
        await using var pipeline = await TestPipeline.StartAsync(
            new Dictionary<string, string>
            {
                ["Ingest:BatchMaxBytes"] = "1024",
                ["Ingest:MaxLineBytes"] = "256",
                ["Ingest:FlushInterval"] = "01:00:00",
            },
            s => s.AddSingleton<IEventSink>(sink));
        using var open = await Bystander.ConnectAsync(pipeline, "open");
        // One write of more than a batch: the full batch goes at once (the signal that the server read
        // the write), the rest waits in a partial batch that only the shutdown can hand on.
        await open.SendAsync(40);
        await sink.WaitForAsync(events => events.Count > 0);
        Assert.InRange(sink.Events.Count, 1, 39);

        await pipeline.StopAsync();

        open.AssertAllArrived(LoggedEvent.ReadAll(pipeline));
        Assert.Equal(1, pipeline.Metric("pipeline_ingest_connections_closed_total", "tcp", "shutdown"));
    }

    [Fact]
    public async Task ShutdownDeadLettersAPartialLineOfAnOpenConnectionAsTruncated()
    {
        var sink = new RecordingSink();
        await using var pipeline = await TestPipeline.StartAsync(services: s => s.AddSingleton<IEventSink>(sink));
        using var peer = await TcpPeer.ConnectAsync(pipeline);
        await peer.SendAsync(Ndjson.Line("r", "whole") + "{\"msg\":\"half");
        // The flush of "whole" shows the server has read the partial line too (same write).
        await sink.WaitForMessagesAsync("whole");

        await pipeline.StopAsync();

        Assert.Equal(1, pipeline.Metric("pipeline_component_discarded_events_total", "ingest", DiscardReasons.TruncatedLine));
        var letter = Assert.Single(DeadLetter.ReadAll(pipeline));
        Assert.Equal((DiscardReasons.TruncatedLine, "{\"msg\":\"half"), (letter.Reason, Encoding.UTF8.GetString(letter.FirstBytes)));
    }

    private static Task BadLinesAsync(string[] badLines, string reason) =>
        BadLinesAsync(badLines.Select(Encoding.UTF8.GetBytes).ToArray(), reason);

    /// <summary>
    /// Sends good lines around the bad ones on one connection while a bystander connection sends too;
    /// checks the counter, one dead letter per bad line, and that every good line arrived.
    /// </summary>
    private static async Task BadLinesAsync(byte[][] badLines, string reason)
    {
        await using var pipeline = await TestPipeline.StartAsync();
        using var bystander = await Bystander.ConnectAsync(pipeline);
        await bystander.SendAsync(5);

        var payload = new List<byte[]> { Ndjson.Bytes(Ndjson.Line("r", "before")) };
        foreach (var bad in badLines)
        {
            payload.Add(bad);
            payload.Add("\n"u8.ToArray());
        }

        payload.Add(Ndjson.Bytes(Ndjson.Line("r", "after")));
        using (var peer = await TcpPeer.ConnectAsync(pipeline))
        {
            await peer.SendAsync(Ndjson.Concat([.. payload]));
            await peer.CloseAsync();
        }

        var events = await bystander.FinishAsync(pipeline);

        Assert.Equal(badLines.Length, pipeline.Metric("pipeline_component_discarded_events_total", "parse", reason));
        Assert.Equal(["before", "after"], events.Where(e => e.RobotId == "r").Select(e => e.Msg));
        Assert.Equal(12, events.Count);

        var letters = DeadLetter.ReadAll(pipeline);
        Assert.Equal(badLines.Length, letters.Count);
        Assert.All(letters, l => Assert.Equal(("parse", reason, "tcp"), (l.Component, l.Reason, l.Protocol)));
        Assert.Equal(badLines.Select(Convert.ToBase64String).Order(), letters.Select(l => Convert.ToBase64String(l.FirstBytes)).Order());
    }
}
